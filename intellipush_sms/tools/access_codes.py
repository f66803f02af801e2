"""One-time access codes: generation, keyed hashes, redaction and lock-out.

A code is drawn with :mod:`secrets` and only its keyed hash is stored (HMAC-
SHA256 with a per-database secret, scoped to its resource), so a copy of the
database does not tell anyone a code that opens a door. The API keys of door
controllers are stored the same way and compared in constant time. Plain
Python: no Odoo import.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

ALPHABETS = {
    "digits": "0123456789",
    # Without the look-alikes 0/O, 1/I/L and 5/S: read off a phone, typed on a keypad.
    "alphanumeric": "ABCDEFGHJKMNPQRTUVWXYZ2346789",
}
MIN_LENGTH = 4
MAX_LENGTH = 12
MAX_INPUT_LENGTH = 64
# In GSM-7, like the digits and letters it hides: the redacted text keeps
# the length, encoding and segment count of the text that was sent.
MASK_CHAR = "*"


def generate_code(length, alphabet="digits"):
    """A uniformly random code of ``length`` characters of ``alphabet``."""
    if not MIN_LENGTH <= length <= MAX_LENGTH:
        raise ValueError(f"A code has {MIN_LENGTH} to {MAX_LENGTH} characters, not {length}.")
    characters = ALPHABETS[alphabet]
    return "".join(secrets.choice(characters) for _index in range(length))


def normalize_code(text, alphabet="digits"):
    """The code as typed, in its canonical form: without spaces and dashes,
    upper case for letters. ``None`` when it cannot be a code of ``alphabet``."""
    if not isinstance(text, str) or len(text) > MAX_INPUT_LENGTH:
        return None
    code = "".join(text.split()).replace("-", "").upper()
    if not MIN_LENGTH <= len(code) <= MAX_LENGTH or not set(code) <= set(ALPHABETS[alphabet]):
        return None
    return code


def keyed_hash(secret, scope, value):
    """HMAC-SHA256 of ``value`` under ``secret``, separated per ``scope``
    (a code of one resource does not match at another)."""
    if not secret:
        raise ValueError("A keyed hash needs a secret.")
    message = f"{len(scope)}:{scope}{value}".encode()  # length-prefixed: no scope/value ambiguity
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def hashes_match(stored, presented):
    """Constant-time comparison; an empty stored hash never matches."""
    return bool(stored) and hmac.compare_digest(stored.encode(), (presented or "").encode())


def generate_api_key():
    """A door controller's API key: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def mask(code):
    return MASK_CHAR * len(code)


def split_around(text, marker):
    """``(before, after)`` of the single ``marker`` in ``text``; ``None``
    when it is absent or appears more than once."""
    if text.count(marker) != 1:
        return None
    before, _marker, after = text.partition(marker)
    return before, after


def redact_between(message, before, after, default_length=6):
    """``message`` = ``before`` + code + ``after`` with the code masked. When
    the message is not of that shape, a code of ``default_length`` is assumed."""
    if message and message.startswith(before) and message.endswith(after):
        length = len(message) - len(before) - len(after)
        if length > 0:
            return before + MASK_CHAR * length + after
    return before + MASK_CHAR * default_length + after


@dataclass(frozen=True)
class LockoutPolicy:
    """``max_failures`` failed guesses within ``window`` lock a door (or a
    number at a door) for ``duration``. The count starts afresh after each
    lock-out, and attempts refused during one are not failures: a lock-out
    ends at a fixed time however hard someone keeps trying."""

    max_failures: int
    window: timedelta
    duration: timedelta

    @property
    def enabled(self):
        return self.max_failures > 0 and self.duration > timedelta(0)

    def counting_since(self, now, last_lock_at=None, cleared_at=None):
        """From when failures count towards the next lock-out."""
        return max(moment for moment in (now - self.window, last_lock_at, cleared_at) if moment)

    def lock_until(self, now, earlier_failures):
        """When a failure at ``now``, after ``earlier_failures`` counted since
        :meth:`counting_since`, locks: the end of the lock-out, else ``None``."""
        if self.enabled and earlier_failures + 1 >= self.max_failures:
            return now + self.duration
        return None
