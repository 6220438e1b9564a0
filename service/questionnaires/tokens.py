"""Questionnaire link tokens: derived from the invitation with HMAC, never stored; only their hash is."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from django.conf import settings

__all__ = ["invitation_token", "new_token_nonce", "token_hash", "token_matches"]

# 256-bit HMAC output, base64url without padding: 43 characters.
TOKEN_LENGTH = 43


def new_token_nonce() -> str:
    """128 random bits; a new nonce gives the invitation a new token and ends the old one."""
    return secrets.token_hex(16)


def _token_for(invitation_id: object, nonce: str) -> str:
    message = f"questionnaire:{invitation_id}:{nonce}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def invitation_token(invitation) -> str:
    """The token in the invitation's link. Anyone who can compute it needs SECRET_KEY."""
    if not invitation.token_nonce:
        raise ValueError("this invitation has no link yet")
    return _token_for(invitation.id, invitation.token_nonce)


def token_hash(token: str) -> str:
    """What is stored and looked up: SHA-256, enough for a 256-bit random token."""
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(invitation, token: str) -> bool:
    return bool(invitation.token_nonce) and hmac.compare_digest(invitation_token(invitation), token)
