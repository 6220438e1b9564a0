"""Turns domain events into outbound webhook messages."""
