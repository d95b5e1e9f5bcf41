"""Passwords kept as salted scrypt hashes: what is stored, and checking a password against it.

The stored form names its parameters (`scrypt$n$r$p$salt$hash`, salt and
hash in base64), so a desk can raise the cost later and still check the
passwords set before. Nothing here keeps or logs a password.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import unicodedata

# scrypt's cost: 2**15 x 8 takes about 32 MiB and a few tens of milliseconds, once per sign-in.
COST, BLOCK, PARALLEL = 2**15, 8, 1
SALT_BYTES, HASH_BYTES = 16, 32
MIN_LENGTH, MAX_LENGTH = 8, 256


class PasswordRefused(ValueError):
    """A new password the desk will not store, with the reason."""


def check_new(password: str) -> str:
    """The password to store, or PasswordRefused saying why (never echoing it)."""
    if len(password) < MIN_LENGTH:
        raise PasswordRefused(f"too short: use at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise PasswordRefused(f"too long: use at most {MAX_LENGTH} characters")
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in password):
        raise PasswordRefused("holds a control character (a tab, a line break, an escape)")
    if password.strip() != password:
        raise PasswordRefused("starts or ends with a space")
    try:
        password.encode("utf-8")
    except UnicodeEncodeError:
        raise PasswordRefused("is not text (bytes that are not UTF-8)") from None
    return password


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    # A password given as bytes that are not UTF-8 (from a pipe) still hashes; it can match
    # nothing stored, as check_new never lets one be set.
    text = unicodedata.normalize("NFC", password).encode("utf-8", "surrogatepass")
    return hashlib.scrypt(text, salt=salt, n=n, r=r, p=p, maxmem=256 * 1024 * 1024,
                          dklen=HASH_BYTES)  # fmt: skip


def hash_password(password: str) -> str:
    """A new salted hash of a password that check_new accepted."""
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(password, salt, COST, BLOCK, PARALLEL)
    b64 = base64.b64encode
    return f"scrypt${COST}${BLOCK}${PARALLEL}${b64(salt).decode()}${b64(digest).decode()}"


def matches(password: str, stored: str | None) -> bool:
    """Whether a password is the one a stored hash was made from (False for no hash)."""
    if not stored or len(password) > MAX_LENGTH:
        # Still spend the work, so a missing hash takes as long as a wrong password.
        _scrypt(password[:MAX_LENGTH], b"\0" * SALT_BYTES, COST, BLOCK, PARALLEL)
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        found = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(found, expected)
