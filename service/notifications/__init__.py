"""The email and SMS outbox: rows first, then one claimed send each, with retries and backoff."""
