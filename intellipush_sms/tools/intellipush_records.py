"""What the Intellipush client answers with: its errors (a closed set of
codes, :data:`FAILURE_CODES`) and the records it parses from Intellipush's
answers, as ``intellipush_sandbox/CONTRACT.md`` describes them. Plain Python:
no Odoo import; :mod:`intellipush_api` re-exports every name.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

FAILURE_CODES = frozenset(
    {
        "configuration",
        "authentication",
        "rate_limited",
        "refused",
        "server_error",
        "malformed_response",
        "connection",
        "timeout",
        "unknown",
    }
)


class IntellipushError(Exception):
    """A failed Intellipush call. ``message`` is for people, in English, without secrets."""

    code = "unknown"
    retryable = False

    def __init__(self, message, *, maybe_delivered=False, status=None, errorcode=None):
        super().__init__(message)
        self.message = message
        self.maybe_delivered = maybe_delivered
        self.status = status
        self.errorcode = errorcode

    def __str__(self):
        return f"[{self.code}] {self.message}"


class ConfigurationError(IntellipushError, ValueError):
    """The client cannot be used as configured (an API URL credentials may not travel to): nothing was sent."""

    code = "configuration"


class AuthenticationError(IntellipushError):
    """The token endpoint refused the API ID or secret, or the account may not use the endpoint."""

    code = "authentication"


class TokenRefusedError(IntellipushError):
    """A call answered 401 to the bearer token: refused before anything was done.

    The client renews the token once; when Intellipush refuses the new token
    too, although the token endpoint accepted the credentials, the call may be
    tried again later.
    """

    code = "authentication"
    retryable = True

    def __init__(self, message, *, token=None, **kwargs):
        super().__init__(message, **kwargs)
        self.token = token


class RateLimitedError(IntellipushError):
    code = "rate_limited"
    retryable = True

    def __init__(self, message, *, retry_after=None, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class RefusedError(IntellipushError):
    """Intellipush answered ``success: false`` (CONTRACT §2): nothing was done.

    ``errorcode`` is Intellipush's number (None if it gave none); the message
    carries it and ``status_message`` verbatim.
    """

    code = "refused"


class ServerError(IntellipushError):
    code = "server_error"
    retryable = True


class MalformedResponseError(IntellipushError):
    code = "malformed_response"
    retryable = True


class ConnectionFailedError(IntellipushError):
    """The request never reached Intellipush: resending cannot duplicate anything."""

    code = "connection"
    retryable = True


class RequestTimeoutError(IntellipushError):
    code = "timeout"
    retryable = True


@dataclass(frozen=True)
class OutgoingSms:
    """One ``sms/create`` item (CONTRACT §4.1). There is no per-message sender:
    every SMS carries the account's sender name (CONTRACT §3)."""

    countrycode: str  # "0047"
    phonenumber: str  # "41234567"
    message: str
    send_at: datetime | None = None  # naive, in the account's time zone

    @property
    def e164(self):
        return "+" + self.countrycode.removeprefix("00") + self.phonenumber

    def as_payload(self):
        payload = {"countrycode": self.countrycode, "phonenumber": self.phonenumber, "message": self.message}
        if self.send_at:
            payload["date"] = self.send_at.strftime("%Y-%m-%d")
            payload["time"] = self.send_at.strftime("%H-%M")  # a dash: CONTRACT §4.1
        return payload


@dataclass(frozen=True)
class Account:
    """The ``user`` endpoint (CONTRACT §3)."""

    uid: str
    name: str
    sender_name: str
    timezone: str
    balance: Decimal | None  # credits (centicredits / 100); None if unreadable
    raw: dict = field(repr=False, default_factory=dict)


@dataclass(frozen=True)
class SendResult:
    ok: bool
    provider_id: str | None = None
    credits: Decimal | None = None
    error: IntellipushError | None = None


@dataclass(frozen=True)
class DeliveryStatus:
    provider_id: str
    sent: bool
    failed: bool
    tries: int
    deleted: bool
    time_sent: datetime | None

    @property
    def state(self):
        if self.failed:
            return "failed"
        if self.sent:
            return "delivered"
        return "pending"


@dataclass(frozen=True)
class SentRecord:
    """An SMS row of ``getSent``, ``getUnsent`` or ``getPlanned`` (CONTRACT §4.4)."""

    provider_id: str
    countrycode: str
    phonenumber: str
    message: str
    time_to_send: datetime | None  # naive, in the account's time zone

    def matches(self, countrycode, phonenumber, message):
        return self.countrycode == countrycode and self.phonenumber == phonenumber and same_text(self.message, message)


@dataclass(frozen=True)
class InboundSms:
    """A ``getReceived`` row (CONTRACT §5). ``complete`` is False for a row
    that lacked its id or number: it is kept for a person, never dropped."""

    provider_id: str
    countrycode: str
    phonenumber: str
    message: str
    keyword: str
    received_at: datetime | None
    complete: bool = True


@dataclass(frozen=True)
class TwofactorSms:
    """The SMS ``twofactor/generate`` sent; ``message`` holds the code: keep it out of storage and logs."""

    provider_id: str
    message: str = field(repr=False)


@dataclass(frozen=True)
class UrlTarget:
    """Whom a child URL is for (CONTRACT §6.2)."""

    countrycode: str
    phonenumber: str
    email: str = ""
    contact_id: int = 0

    def as_payload(self):
        return {
            "contact_id": self.contact_id,
            "email": self.email,
            "countrycode": self.countrycode,
            "phonenumber": self.phonenumber,
        }


@dataclass(frozen=True)
class ShortUrl:
    provider_id: str
    short_url: str
    target_url: str | None = None


@dataclass(frozen=True)
class UrlVisits:
    """Visit statistics of a short URL (CONTRACT §6.3); a parent's come with its children's.

    Intellipush reports no first visit: ``first_visit`` is always None.
    """

    provider_id: str
    short_url: str
    visits: int
    unique_visitors: int
    first_visit: datetime | None
    last_visit: datetime | None
    children: tuple = ()


def parse_datetime(value):
    """Intellipush's "YYYY-MM-DD HH:MM[:SS]" (or ISO) as a naive datetime; None if absent or garbled."""
    if not value or not isinstance(value, str):
        return None
    for candidate in (value.strip(), value.strip().replace("T", " ")[:19]):
        try:
            return datetime.fromisoformat(candidate).replace(tzinfo=None)
        except ValueError:
            continue
    return None


def same_text(left, right):
    """Whether two SMS texts are the same message, whatever line endings or
    trailing blanks the provider stored (CONTRACT §9)."""

    def norm(text):
        return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()

    return norm(left) == norm(right)
