"""Connects this app's receivers of domain events (questionnaires, alerts)."""
