"""Client for the Intellipush REST API v2 (OAuth 2.0 client credentials).

One method per endpoint, explicit (connect, read) timeouts, and errors
mapped to a closed set of codes (:data:`FAILURE_CODES`). The rule that keeps
messages from going out twice: a call that may have created something at
Intellipush (``sms/create``, ``sms/createBatch``, URL generation,
``twofactor/generate``) is retried only when the request certainly never
reached the server; any other failure after sending is raised with
``maybe_delivered=True`` so the caller reconciles instead of resending.
Read-only calls are retried with back-off.

The API secret never appears in logs, exception messages or reprs. Plain
Python: no Odoo import.
"""

import hashlib
import ipaddress
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

import requests
from oauthlib.oauth2 import BackendApplicationClient, OAuth2Error
from requests.auth import HTTPBasicAuth
from requests_oauthlib import OAuth2Session
from urllib3.exceptions import MaxRetryError, NewConnectionError

_logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.intellipush.com"
TOKEN_RENEWAL_MARGIN = 60  # seconds before expiry when a cached token is renewed
STATUS_CHUNK = 100

FAILURE_CODES = frozenset(
    {
        "authentication",
        "rate_limited",
        "invalid_number",
        "insufficient_credit",
        "invalid_message",
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

    def __init__(self, message, *, maybe_delivered=False, status=None):
        super().__init__(message)
        self.message = message
        self.maybe_delivered = maybe_delivered
        self.status = status

    def __str__(self):
        return f"[{self.code}] {self.message}"


class AuthenticationError(IntellipushError):
    code = "authentication"


class RateLimitedError(IntellipushError):
    code = "rate_limited"
    retryable = True

    def __init__(self, message, *, retry_after=None, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class InvalidNumberError(IntellipushError):
    code = "invalid_number"


class InsufficientCreditError(IntellipushError):
    code = "insufficient_credit"


class InvalidMessageError(IntellipushError):
    code = "invalid_message"


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


# Envelope ``errorcode`` values (and words of ``status_message``) → error class.
# The real service's codes are not published: extend this as they are seen.
ERRORCODE_CLASSES = {
    "invalid_phonenumber": InvalidNumberError,
    "invalid_number": InvalidNumberError,
    "insufficient_credits": InsufficientCreditError,
    "insufficient_credit": InsufficientCreditError,
    "invalid_message": InvalidMessageError,
    "rate_limited": RateLimitedError,
    "server_error": ServerError,
}
STATUS_MESSAGE_CLASSES = (
    ("phone", InvalidNumberError),
    ("number", InvalidNumberError),
    ("credit", InsufficientCreditError),
)


@dataclass(frozen=True)
class OutgoingSms:
    countrycode: str  # "0047"
    phonenumber: str  # "41234567"
    message: str
    send_at: datetime | None = None  # naive, in the account's local time
    sender: str | None = None

    def as_payload(self):
        payload = {"countrycode": self.countrycode, "phonenumber": self.phonenumber, "message": self.message}
        if self.send_at:
            payload["date"] = self.send_at.strftime("%Y-%m-%d")
            payload["time"] = self.send_at.strftime("%H-%M")
        if self.sender:
            payload["sender"] = self.sender
        return payload


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
    provider_id: str
    countrycode: str
    phonenumber: str
    message: str
    created: datetime | None


@dataclass(frozen=True)
class InboundSms:
    provider_id: str
    countrycode: str
    phonenumber: str
    message: str
    keyword: str
    received_at: datetime | None


@dataclass(frozen=True)
class TwofactorSms:
    """The SMS ``twofactor/generate`` sent; ``message`` holds the code: keep it out of storage and logs."""

    provider_id: str
    message: str = field(repr=False)


@dataclass(frozen=True)
class ShortUrl:
    provider_id: str
    short_url: str
    target_url: str | None = None


@dataclass(frozen=True)
class UrlVisits:
    """Visit statistics of a short URL; a parent's come with its children's."""

    provider_id: str
    short_url: str
    visits: int
    unique_visitors: int
    first_visit: datetime | None
    last_visit: datetime | None
    children: tuple = ()


def parse_datetime(value):
    """Intellipush's "YYYY-MM-DD HH:MM:SS" (or ISO) as a naive datetime; None if absent or garbled."""
    if not value or not isinstance(value, str):
        return None
    for candidate in (value.strip(), value.strip().replace("T", " ")[:19]):
        try:
            return datetime.fromisoformat(candidate).replace(tzinfo=None)
        except ValueError:
            continue
    return None


def _flag(value):
    return str(value).strip().lower() in ("1", "true", "yes")


def _error_from_envelope(envelope, status=None, maybe_delivered=False):
    errorcode = envelope.get("errorcode")
    text = str(envelope.get("status_message") or "Intellipush refused the request.")
    error_class = ERRORCODE_CLASSES.get(str(errorcode).lower()) if errorcode is not None else None
    if error_class is None:
        lowered = text.lower()
        error_class = next((cls for word, cls in STATUS_MESSAGE_CLASSES if word in lowered), IntellipushError)
    return error_class(text, status=status, maybe_delivered=maybe_delivered)


class _TokenCache:
    """Access tokens shared by every client of the process, per account."""

    def __init__(self):
        self._lock = threading.Lock()
        self._tokens = {}

    def get(self, key):
        with self._lock:
            token, expires_at = self._tokens.get(key, (None, 0))
        return token if token and expires_at - TOKEN_RENEWAL_MARGIN > time.time() else None

    def put(self, key, token, expires_in):
        with self._lock:
            self._tokens[key] = (token, time.time() + expires_in)

    def clear(self):
        with self._lock:
            self._tokens.clear()

    def drop(self, key, token):
        with self._lock:
            if self._tokens.get(key, (None,))[0] == token:
                del self._tokens[key]


TOKEN_CACHE = _TokenCache()


class IntellipushClient:
    def __init__(
        self, base_url, api_id, api_secret, *, timeout=(5, 20), max_retries=2, backoff=0.5, session_factory=None
    ):
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.api_id = api_id
        self._api_secret = api_secret
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self._session_factory = session_factory or requests.Session
        self._session = self._session_factory()
        # The secret's digest is part of the key: a changed (or wrong) secret
        # must never ride on a token obtained with the previous one.
        self._cache_key = (self.base_url, api_id, hashlib.sha256((api_secret or "").encode()).hexdigest())
        _check_transport(self.base_url)

    def __repr__(self):
        return f"<IntellipushClient {self.base_url} api_id={self.api_id!r}>"

    # ------------------------------------------------------------
    # Endpoints
    # ------------------------------------------------------------

    def get_user(self):
        data = self._call("user", {}, idempotent=True)
        if not isinstance(data, dict):
            raise MalformedResponseError("The user endpoint did not return an account.")
        return data

    def send(self, message):
        """``sms/create``: one SMS. A refusal is a SendResult, not an exception."""
        try:
            data = self._call("sms/create", message.as_payload(), idempotent=False)
        except (InvalidNumberError, InsufficientCreditError, InvalidMessageError) as error:
            return SendResult(ok=False, error=error)
        return self._send_result({"success": True, "data": data})

    def send_batch(self, messages):
        """``sms/createBatch``: results aligned with ``messages``; a whole-call failure raises."""
        if not messages:
            return []
        data = self._call(
            "sms/createBatch", {"batch": [message.as_payload() for message in messages]}, idempotent=False
        )
        if not isinstance(data, list) or len(data) != len(messages):
            raise MalformedResponseError(
                "Intellipush answered the batch with a list of the wrong length.",
                maybe_delivered=True,
            )
        return [self._send_result(item) for item in data]

    def get_status(self, provider_ids):
        statuses = {}
        ids = [str(provider_id) for provider_id in provider_ids]
        for start in range(0, len(ids), STATUS_CHUNK):
            data = self._call("sms/status", {"ids": ids[start : start + STATUS_CHUNK]}, idempotent=True)
            rows = list(data.values()) if isinstance(data, dict) else data
            if not isinstance(rows, list):
                raise MalformedResponseError("The status answer is not a list.")
            for row in rows:
                if not isinstance(row, dict) or row.get("id") in (None, ""):
                    _logger.warning("Intellipush: skipped a malformed status row")
                    continue
                statuses[str(row["id"])] = DeliveryStatus(
                    provider_id=str(row["id"]),
                    sent=_flag(row.get("sendt")),
                    failed=_flag(row.get("failed")),
                    tries=_int(row.get("tries")),
                    deleted=_flag(row.get("deleted")),
                    time_sent=parse_datetime(row.get("timesendt")),
                )
        return statuses

    def get_sent(self, page=1, items=100):
        rows = self._list("sms/getSent", {"page": page, "items": items})
        return [
            SentRecord(
                provider_id=str(row["id"]),
                countrycode=str(row.get("countrycode") or ""),
                phonenumber=str(row.get("phonenumber") or ""),
                message=str(row.get("message") or ""),
                created=parse_datetime(row.get("created")),
            )
            for row in rows
        ]

    def get_received(self, page=1, items=100, keyword=None):
        payload = {"page": page, "items": items}
        if keyword:
            payload["keyword"] = keyword
        rows = self._list("sms/getReceived", payload)
        return [
            InboundSms(
                provider_id=str(row["id"]),
                countrycode=str(row.get("countrycode") or ""),
                phonenumber=str(row.get("phonenumber") or ""),
                message=str(row.get("message") or ""),
                keyword=str(row.get("keyword") or "").upper(),
                received_at=parse_datetime(row.get("received")),
            )
            for row in rows
        ]

    def twofactor_generate(self, countrycode, phonenumber, message_pre_code, message_post_code=""):
        """``twofactor/generate``: Intellipush draws a code and texts it, between the two texts.

        Never retried once sent: a second call would text another code.
        """
        data = self._call(
            "twofactor/generate",
            {
                "countrycode": countrycode,
                "phonenumber": phonenumber,
                "message_pre_code": message_pre_code,
                "message_post_code": message_post_code,
            },
            idempotent=False,
        )
        if not isinstance(data, dict) or data.get("id") in (None, ""):
            raise MalformedResponseError("The two-factor answer has no message id.", maybe_delivered=True)
        return TwofactorSms(provider_id=str(data["id"]), message=str(data.get("text_message") or ""))

    def twofactor_validate(self, countrycode, phonenumber, code):
        """``twofactor/validate``: whether ``code`` is the one Intellipush texted to the number.

        Not retried after the request left: a door waits for the answer, and
        a repeated check must not count twice at Intellipush.
        """
        data = self._call(
            "twofactor/validate",
            {"countrycode": countrycode, "phonenumber": phonenumber, "code": code},
            idempotent=False,
        )
        if not isinstance(data, dict) or "access" not in data:
            raise MalformedResponseError("The two-factor validation answer has no verdict.")
        return _flag(data["access"])

    def generate_url(self, url):
        return self._short_url(self._call("url/generate", {"url": url}, idempotent=False))

    def generate_child_url(self, parent_id, target):
        return self._short_url(
            self._call("url/generateChild", {"parent_url_id": parent_id, "target": target}, idempotent=False)
        )

    def get_url(self, provider_id):
        """The visits of a short URL and of each of its children (:class:`UrlVisits`)."""
        data = self._call("url/get", {"id": provider_id}, idempotent=True)
        if not isinstance(data, dict) or data.get("id") in (None, ""):
            raise MalformedResponseError("The URL answer is not an object with an id.")
        children = data.get("children") or []
        if not isinstance(children, list):
            raise MalformedResponseError("The URL answer's children are not a list.")
        rows = [row for row in children if isinstance(row, dict) and row.get("id") not in (None, "")]
        if len(rows) != len(children):
            _logger.warning("Intellipush: skipped %s malformed child URL(s)", len(children) - len(rows))
        return self._url_visits(data, children=tuple(self._url_visits(row) for row in rows))

    # ------------------------------------------------------------
    # Parsing helpers
    # ------------------------------------------------------------

    def _list(self, endpoint, payload):
        data = self._call(endpoint, payload, idempotent=True)
        if data is None:
            return []
        if not isinstance(data, list):
            raise MalformedResponseError(f"The {endpoint} answer is not a list.")
        rows = [row for row in data if isinstance(row, dict) and row.get("id") not in (None, "")]
        if len(rows) != len(data):
            _logger.warning("Intellipush: skipped %s malformed row(s) of %s", len(data) - len(rows), endpoint)
        return rows

    @staticmethod
    def _send_result(item):
        if not isinstance(item, dict) or "success" not in item:
            return SendResult(
                ok=False, error=MalformedResponseError("A batch item has no envelope.", maybe_delivered=True)
            )
        if not item.get("success"):
            return SendResult(ok=False, error=_error_from_envelope(item))
        data = item.get("data")
        if not isinstance(data, dict) or data.get("id") in (None, ""):
            return SendResult(
                ok=False, error=MalformedResponseError("An accepted SMS has no id.", maybe_delivered=True)
            )
        try:
            credits = Decimal(str(data["credits_amount"])) if data.get("credits_amount") is not None else None
        except InvalidOperation:
            credits = None
        return SendResult(ok=True, provider_id=str(data["id"]), credits=credits)

    @staticmethod
    def _url_visits(data, children=()):
        return UrlVisits(
            provider_id=str(data["id"]),
            short_url=str(data.get("short_url") or ""),
            visits=_int(data.get("visits")),
            unique_visitors=_int(data.get("unique_visitors")),
            first_visit=parse_datetime(data.get("first_visit")),
            last_visit=parse_datetime(data.get("last_visit")),
            children=children,
        )

    @staticmethod
    def _short_url(data):
        if not isinstance(data, dict) or not data.get("id") or not data.get("short_url"):
            raise MalformedResponseError("The short URL answer lacks its id or URL.", maybe_delivered=True)
        return ShortUrl(provider_id=str(data["id"]), short_url=str(data["short_url"]), target_url=data.get("url"))

    # ------------------------------------------------------------
    # Transport
    # ------------------------------------------------------------

    def _token(self, force=False):
        token = None if force else TOKEN_CACHE.get(self._cache_key)
        if token:
            return token
        oauth = OAuth2Session(client=BackendApplicationClient(client_id=self.api_id))
        try:
            answer = oauth.fetch_token(
                token_url=f"{self.base_url}/oauth2/token",
                auth=HTTPBasicAuth(self.api_id or "", self._api_secret or ""),
                timeout=self.timeout,
                include_client_id=False,
            )
        except OAuth2Error as error:
            if error.status_code in (400, 401, 403) or error.error in ("invalid_client", "unauthorized_client"):
                raise AuthenticationError(
                    "Intellipush refused the API ID or secret.", status=error.status_code
                ) from None
            raise ServerError(f"The token endpoint failed ({error.error}).", status=error.status_code) from None
        except requests.exceptions.ConnectTimeout:
            raise ConnectionFailedError("Timed out connecting to Intellipush.") from None
        except requests.exceptions.ConnectionError:
            raise ConnectionFailedError("Could not connect to Intellipush.") from None
        except requests.exceptions.Timeout:
            raise RequestTimeoutError("Intellipush did not answer the token request in time.") from None
        except ValueError:
            raise MalformedResponseError("The token endpoint answered garbage.") from None
        access_token = answer.get("access_token")
        if not access_token:
            raise MalformedResponseError("The token endpoint answered without a token.")
        TOKEN_CACHE.put(self._cache_key, access_token, float(answer.get("expires_in") or 3600))
        return access_token

    def _call(self, endpoint, payload, *, idempotent):
        """POST ``payload`` to ``endpoint``; return the envelope's ``data``.

        ``idempotent`` calls are retried on transient failures; the others
        only when the request never left.
        """
        attempt = 0
        renewed_token = False
        while True:
            attempt += 1
            try:
                return self._call_once(endpoint, payload, idempotent)
            except AuthenticationError as error:
                rejected_token = getattr(error, "token", None)
                if renewed_token or not rejected_token:
                    raise
                renewed_token = True  # the token expired early: renew it once
                TOKEN_CACHE.drop(self._cache_key, rejected_token)
            except IntellipushError as error:
                transient = isinstance(error, ConnectionFailedError) or (
                    idempotent and isinstance(error, (ServerError, RequestTimeoutError, MalformedResponseError))
                )
                if not transient or attempt > self.max_retries:
                    raise
                time.sleep(self.backoff * 2 ** (attempt - 1))

    def _call_once(self, endpoint, payload, idempotent):
        token = self._token()
        maybe = not idempotent
        try:
            response = self._session.post(
                f"{self.base_url}/restv2/{endpoint}",
                json=payload,
                headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
                timeout=self.timeout,
            )
        except requests.exceptions.ConnectTimeout:
            raise ConnectionFailedError(f"Timed out connecting to Intellipush ({endpoint}).") from None
        except requests.exceptions.ReadTimeout:
            raise RequestTimeoutError(
                f"Intellipush did not answer {endpoint} in time.", maybe_delivered=maybe
            ) from None
        except requests.exceptions.ConnectionError as error:
            # Refused or unreachable: never sent. Reset or closed mid-answer: it may have been.
            if _never_reached(error):
                raise ConnectionFailedError(f"Could not connect to Intellipush ({endpoint}).") from None
            raise ServerError(
                f"The connection to Intellipush broke during {endpoint}.", maybe_delivered=maybe
            ) from None
        except requests.exceptions.RequestException:
            raise ServerError(f"The request to Intellipush failed ({endpoint}).", maybe_delivered=maybe) from None

        if response.status_code == 401:
            error = AuthenticationError("Intellipush refused the access token.", status=401)
            error.token = token
            raise error
        if response.status_code == 403:
            raise AuthenticationError("This Intellipush account may not use this endpoint.", status=403)
        if response.status_code == 429:
            raise RateLimitedError("Intellipush asks to slow down.", retry_after=_retry_after(response), status=429)
        if response.status_code >= 500:
            raise ServerError(
                f"Intellipush answered {response.status_code} to {endpoint}.",
                status=response.status_code,
                maybe_delivered=maybe,
            )
        try:
            envelope = response.json()
        except ValueError:
            raise MalformedResponseError(
                f"Intellipush answered {endpoint} with something that is not JSON.", maybe_delivered=maybe
            ) from None
        if isinstance(envelope, list) and endpoint == "sms/createBatch":
            return envelope  # the v1 batch answer: a bare list of per-item envelopes
        if not isinstance(envelope, dict) or "success" not in envelope:
            raise MalformedResponseError(
                f"Intellipush answered {endpoint} without its envelope.", maybe_delivered=maybe
            )
        if response.status_code >= 400 or not envelope.get("success"):
            raise _error_from_envelope(envelope, status=response.status_code)
        return envelope.get("data")


def _check_transport(base_url):
    """Credentials travel over HTTPS only; plain HTTP is allowed on loopback,
    where the sandbox runs (oauthlib refuses it unless told otherwise)."""
    parts = urlsplit(base_url)
    if parts.scheme == "https":
        return
    host = parts.hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if parts.scheme != "http" or not loopback:
        raise ValueError(f"The Intellipush API URL must use https: {base_url}")
    os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")


def _never_reached(error):
    reason = error.args[0] if error.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    return isinstance(reason, NewConnectionError)


def _int(value):
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _retry_after(response):
    try:
        return max(float(response.headers.get("Retry-After", "")), 0.0)
    except ValueError:
        return None
