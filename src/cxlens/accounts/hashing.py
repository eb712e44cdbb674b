"""How account secrets are kept: passwords as argon2id hashes (slow on purpose: guessing is
expensive), session ids and API tokens as sha256 digests (they are long random strings already,
and are checked on every request, so a fast hash is enough and a lookup by digest works)."""

from __future__ import annotations

import hashlib

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches the hash (argon2: tens of milliseconds of CPU, so callers
    must not hold a lock others wait for). With no user, as long as a real check, so timing
    does not reveal usernames."""
    if stored is None:
        _hasher.hash(password)
        return False
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def digest(text: str) -> str:
    """The stored form of a session id or API token."""
    return hashlib.sha256(text.encode()).hexdigest()
