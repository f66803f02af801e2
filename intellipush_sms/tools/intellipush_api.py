"""Client for the Intellipush REST API v2 (OAuth 2.0 client credentials).

What it sends and what it expects back is written down once, from public
evidence, in ``intellipush_sandbox/CONTRACT.md``; each method cites its
section (``CONTRACT §n``). Where that file says *assumed*, the parsing here
is defensive.

One method per endpoint, explicit (connect, read) timeouts, and errors
mapped to a closed set of codes (:data:`FAILURE_CODES`). Intellipush's
numeric ``errorcode`` is kept with its ``status_message`` verbatim: no public
list gives their meanings, so none is guessed.

The rule that keeps messages from going out twice (CONTRACT §9): a call that
may have created something at Intellipush (``sms/create``,
``sms/createBatch``, URL generation, ``twofactor/generate``) is retried only
when the request certainly never reached the server; any other failure
after sending is raised with ``maybe_delivered=True`` so the caller
reconciles instead of resending. Read-only calls are retried with back-off.

The API secret never appears in logs, exception messages or reprs. Plain
Python: no Odoo import.

Longer than our other files on purpose: it is the client side of
CONTRACT.md, one method per endpoint in the contract's order, so that a
reviewer checks it against the contract in one read. Its errors and parsed
records live in :mod:`intellipush_records`.
"""

import hashlib
import ipaddress
import json
import logging
import os
import threading
import time
from decimal import Decimal, InvalidOperation
from urllib.parse import quote, urlsplit

import requests
from oauthlib.oauth2 import BackendApplicationClient, OAuth2Error
from requests.auth import HTTPBasicAuth
from requests_oauthlib import OAuth2Session
from urllib3.exceptions import MaxRetryError, NewConnectionError

from .intellipush_records import (  # noqa: F401 (the client's own names, used as intellipush_api.X)
    FAILURE_CODES,
    Account,
    AuthenticationError,
    ConfigurationError,
    ConnectionFailedError,
    DeliveryStatus,
    InboundSms,
    IntellipushError,
    MalformedResponseError,
    OutgoingSms,
    RateLimitedError,
    RefusedError,
    RequestTimeoutError,
    SendResult,
    SentRecord,
    ServerError,
    ShortUrl,
    TokenRefusedError,
    TwofactorSms,
    UrlTarget,
    UrlVisits,
    parse_datetime,
    same_text,
)

_logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.intellipush.com"  # CONTRACT §1.1
DEFAULT_TOKEN_LIFETIME = 3600  # CONTRACT §1.2: expires_in is assumed, this when absent
TOKEN_RENEWAL_MARGIN = 60  # seconds before expiry when a cached token is renewed
STATUS_CHUNK = 100  # CONTRACT §4.3: ids per status call (the service's limit is not public)
MAX_RETRY_AFTER = 3600  # a Retry-After beyond an hour is not believed
DEFAULT_TIMEZONE = "Europe/Oslo"

# (HTTP method, path under /restv2/) per endpoint: CONTRACT §8.
ENDPOINTS = {
    "user": ("GET", "user"),
    "sms/create": ("POST", "sms/create"),
    "sms/createBatch": ("POST", "sms/createBatch"),
    "sms/status": ("POST", "sms/status"),
    "sms/getSent": ("GET", "sms/getSent"),
    "sms/getUnsent": ("GET", "sms/getUnsent"),
    "sms/getPlanned": ("GET", "sms/getPlanned"),
    "sms/delete": ("DELETE", "sms/delete"),
    "sms/getReceived": ("GET", "sms/getReceived"),
    "url/generate": ("POST", "url/generate"),
    "url/generateChild": ("POST", "url/generateChild"),
    "url/details": ("GET", "url/create"),  # CONTRACT §6.3: the SDK's details route
    "twofactor/generate": ("POST", "twofactor/generate"),
    "twofactor/validate": ("POST", "twofactor/validate"),
}


def serialize_query(params, prefix=None):
    """The restv2 SDK's query serialisation (CONTRACT §1.4): ``key=value`` with
    encodeURIComponent's escaping, ``key[sub]`` for objects, ``key[]`` for lists."""
    parts = []
    items = enumerate(params) if isinstance(params, list) else params.items()
    for key, value in items:
        if isinstance(params, list):
            name = f"{prefix}[]"
        else:
            name = f"{prefix}[{key}]" if prefix else str(key)
        if isinstance(value, dict | list):
            nested = serialize_query(value, name)
            if nested:
                parts.append(nested)
        else:
            text = ("true" if value else "false") if isinstance(value, bool) else str(value)
            parts.append(f"{quote(name, safe='[]')}={quote(text, safe=_URI_COMPONENT_SAFE)}")
    return "&".join(parts)


_URI_COMPONENT_SAFE = "-_.!~*'()"


def _flag(value):
    return str(value).strip().lower() in ("1", "true", "yes")


def _first(row, *names):
    """The first of ``names`` that ``row`` has a non-empty value for, as text."""
    for name in names:
        value = row.get(name)
        if value not in (None, ""):
            return str(value)
    return ""


def _error_from_envelope(envelope, status=None):
    """``success: false`` as a RefusedError with Intellipush's own number and words (CONTRACT §2.2)."""
    errorcode = envelope.get("errorcode")
    try:
        errorcode = int(errorcode) if errorcode not in (None, "") else None
    except (TypeError, ValueError):
        errorcode = None
    text = str(envelope.get("status_message") or "").strip() or "no message"
    label = f"Intellipush error {errorcode}: {text}" if errorcode is not None else f"Intellipush refused: {text}"
    return RefusedError(label, status=status, errorcode=errorcode)


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
# Shapes of received rows already logged as unknown, so each is logged once per process.
_LOGGED_ROW_SHAPES = set()


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
        check_base_url(self.base_url)
        if urlsplit(self.base_url).scheme == "http":
            # Allowed on loopback only (the sandbox); oauthlib refuses plain HTTP unless told otherwise.
            os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")

    def __repr__(self):
        return f"<IntellipushClient {self.base_url} api_id={self.api_id!r}>"

    # ------------------------------------------------------------
    # Account
    # ------------------------------------------------------------

    def get_user(self):
        """``GET user`` (CONTRACT §3): the account, its sender name and balance."""
        data = self._call("user", idempotent=True)
        if not isinstance(data, dict):
            raise MalformedResponseError("The user endpoint did not return an account.")
        try:
            balance = Decimal(str(data["centicredits"])) / 100
        except (KeyError, InvalidOperation, TypeError):
            balance = None
        return Account(
            uid=_first(data, "uid", "id"),
            name=_first(data, "name"),
            sender_name=_first(data, "smssendername"),
            timezone=_first(data, "timezonename") or DEFAULT_TIMEZONE,
            balance=balance,
            raw=data,
        )

    # ------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------

    def send_batch(self, messages):
        """``POST sms/createBatch`` (CONTRACT §4.2): results aligned with ``messages``.

        A whole-call failure raises. Each accepted item is checked against what
        was sent; answers in another order are paired by number and text.
        """
        if not messages:
            return []
        data = self._call(
            "sms/createBatch", body={"batch": [message.as_payload() for message in messages]}, idempotent=False
        )
        if not isinstance(data, list) or len(data) != len(messages):
            raise MalformedResponseError(
                "Intellipush answered the batch with a list of the wrong length.",
                maybe_delivered=True,
            )
        in_order = [self._send_result(item, message) for item, message in zip(data, messages, strict=True)]
        if all(result is not None for result in in_order):
            return in_order
        return self._pair_batch_results(data, messages)

    def _pair_batch_results(self, items, messages):
        """Pair answer items with the messages they are for by (number, text)."""
        by_key = {}
        refusals = []
        for item in items:
            row = item.get("data") if isinstance(item, dict) and item.get("success") else None
            if isinstance(row, dict) and row.get("single_target"):
                key = (_first(row, "single_target_countrycode"), _first(row, "single_target"))
                by_key.setdefault(key, []).append((row, item))
            else:
                refusals.append(item)
        results = []
        for message in messages:
            candidates = by_key.get((message.countrycode, message.phonenumber), [])
            match = next((pair for pair in candidates if same_text(pair[0].get("text_message"), message.message)), None)
            if match:
                candidates.remove(match)
                results.append(self._send_result(match[1]))
            elif refusals:
                results.append(self._send_result(refusals.pop(0)))
            else:
                results.append(
                    SendResult(
                        ok=False,
                        error=MalformedResponseError(
                            "Intellipush's batch answer does not show this SMS.", maybe_delivered=True
                        ),
                    )
                )
        return results

    @staticmethod
    def _send_result(item, message=None):
        """One item's SendResult; None when the accepted row names another
        number or text than ``message`` (the answer is out of order)."""
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
        if message is not None and data.get("single_target"):
            same_number = (_first(data, "single_target_countrycode"), _first(data, "single_target")) == (
                message.countrycode,
                message.phonenumber,
            )
            if not same_number or ("text_message" in data and not same_text(data["text_message"], message.message)):
                return None
        try:
            credits = Decimal(str(data["credits_amount"])) if data.get("credits_amount") is not None else None
        except InvalidOperation:
            credits = None
        return SendResult(ok=True, provider_id=str(data["id"]), credits=credits)

    def delete(self, provider_id):
        """``DELETE sms/delete?id=`` (CONTRACT §4.5): withdraw an SMS that is not sent yet.

        Raises RefusedError when Intellipush will not (already sent, unknown).
        """
        self._call("sms/delete", query={"id": provider_id}, idempotent=True)
        return True

    # ------------------------------------------------------------
    # Reading back
    # ------------------------------------------------------------

    def get_status(self, provider_ids):
        """``POST sms/status`` (CONTRACT §4.3): {id: DeliveryStatus}; unknown ids are absent."""
        statuses = {}
        ids = [str(provider_id) for provider_id in provider_ids]
        for start in range(0, len(ids), STATUS_CHUNK):
            data = self._call("sms/status", body={"id_array": ids[start : start + STATUS_CHUNK]}, idempotent=True)
            if data in (None, []):
                continue  # nothing known about these ids
            if isinstance(data, dict):
                rows = [dict(row, id=row.get("id") or key) for key, row in data.items() if isinstance(row, dict)]
                malformed = len(data) - len(rows)
            elif isinstance(data, list):
                rows = [row for row in data if isinstance(row, dict)]
                malformed = len(data) - len(rows)
            else:
                raise MalformedResponseError("The status answer is not an object keyed by id.")
            if malformed:
                _logger.warning("Intellipush: skipped %s malformed status row(s)", malformed)
            for row in rows:
                provider_id = str(row["id"])
                statuses[provider_id] = DeliveryStatus(
                    provider_id=provider_id,
                    sent=_flag(row.get("sendt")),
                    failed=_flag(row.get("failed")),
                    tries=_int(row.get("tries")),
                    deleted=_flag(row.get("deleted")),
                    time_sent=parse_datetime(row.get("timesendt")),
                )
        return statuses

    def get_sent(self, page=1, items=100):
        """``GET sms/getSent`` (CONTRACT §4.4): one page of sent SMS."""
        return [self._sent_record(row) for row in self._list("sms/getSent", {"items": items, "page": page})]

    def get_unsent(self, page=1, items=100):
        """``GET sms/getUnsent`` (CONTRACT §4.4): one page of SMS not sent yet (scheduled or queued)."""
        return [self._sent_record(row) for row in self._list("sms/getUnsent", {"items": items, "page": page})]

    def get_planned(self, provider_id):
        """``GET sms/getPlanned?id=`` (CONTRACT §4.4): the SMS if it still waits; RefusedError otherwise."""
        data = self._call("sms/getPlanned", query={"id": provider_id}, idempotent=True)
        if not isinstance(data, dict) or data.get("id") in (None, ""):
            raise MalformedResponseError("The planned SMS answer is not an SMS.")
        return self._sent_record(data)

    @staticmethod
    def _sent_record(row):
        date_time = None
        if row.get("date") and row.get("time"):
            date_time = f"{row['date']} {str(row['time']).replace('-', ':')}"
        return SentRecord(
            provider_id=str(row["id"]),
            countrycode=_first(row, "single_target_countrycode", "countrycode"),
            phonenumber=_first(row, "single_target", "phonenumber"),
            message=_first(row, "text_message", "message"),
            time_to_send=parse_datetime(row.get("timetosend")) or parse_datetime(date_time),
        )

    def get_received(self, page=1, items=100, keyword=None):
        """``GET sms/getReceived`` (CONTRACT §5): one page of inbound SMS, parsed defensively."""
        query = {"items": items, "page": page}
        if keyword:
            query["keyword"] = keyword
        data = self._call("sms/getReceived", query=query, idempotent=True)
        if data is None:
            return []
        if not isinstance(data, list):
            raise MalformedResponseError("The sms/getReceived answer is not a list.")
        return [self._inbound(row) for row in data]

    @staticmethod
    def _inbound(row):
        if not isinstance(row, dict):
            row = {"value": row}
        message = _first(row, "text_message", "message", "text")
        countrycode = _first(row, "single_target_countrycode", "countrycode", "sender_countrycode")
        phonenumber = _first(row, "single_target", "phonenumber", "sender", "from")
        date_time = f"{row['date']} {row['time']}" if row.get("date") and row.get("time") else None
        received_at = next(
            filter(None, (parse_datetime(row.get(name)) for name in ("timetosend", "received", "created"))),
            parse_datetime(date_time),
        )
        provider_id = _first(row, "id")
        complete = bool(provider_id and phonenumber)
        if not complete:
            shape = tuple(sorted(row))
            if shape not in _LOGGED_ROW_SHAPES:
                _LOGGED_ROW_SHAPES.add(shape)
                _logger.warning("Intellipush: a received SMS row of unknown shape, keys %s", list(shape))
        if not provider_id:
            # A stable stand-in id, so the row is stored once however often it is polled.
            digest = hashlib.sha256(json.dumps(row, sort_keys=True, default=str).encode()).hexdigest()[:20]
            provider_id = f"row-{digest}"
        return InboundSms(
            provider_id=provider_id,
            countrycode=countrycode,
            phonenumber=phonenumber,
            message=message,
            keyword=_first(row, "keyword").upper(),
            received_at=received_at,
            complete=complete,
        )

    # ------------------------------------------------------------
    # Two-factor codes
    # ------------------------------------------------------------

    def twofactor_generate(self, countrycode, phonenumber, message_pre_code, message_post_code=""):
        """``POST twofactor/generate`` (CONTRACT §7): Intellipush draws a code and texts it, between the two texts.

        Never retried once sent: a second call would text another code.
        """
        data = self._call(
            "twofactor/generate",
            body={
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
        """``POST twofactor/validate`` (CONTRACT §7): whether ``code`` is the one Intellipush texted.

        A code that validates is spent at Intellipush. Not retried after the
        request left: a door waits for the answer, and a repeated check must
        not count twice.
        """
        data = self._call(
            "twofactor/validate",
            body={"countrycode": countrycode, "phonenumber": phonenumber, "code": code},
            idempotent=False,
        )
        if not isinstance(data, dict) or "access" not in data:
            raise MalformedResponseError("The two-factor validation answer has no verdict.")
        return _flag(data["access"])

    # ------------------------------------------------------------
    # Short URLs
    # ------------------------------------------------------------

    def generate_url(self, url):
        """``POST url/generate?url=`` (CONTRACT §6.1): the long URL travels in the query string."""
        return self._short_url(self._call("url/generate", query={"url": url}, idempotent=False))

    def generate_child_url(self, parent_id, target):
        """``POST url/generateChild`` (CONTRACT §6.2): a recipient's own short URL; ``target`` a UrlTarget."""
        return self._short_url(
            self._call(
                "url/generateChild", body={"id": str(parent_id), "target": target.as_payload()}, idempotent=False
            )
        )

    def get_url(self, provider_id):
        """``GET url/create?id=`` (CONTRACT §6.3): the visits of a short URL and of each of its children."""
        data = self._call("url/details", query={"id": provider_id}, idempotent=True)
        if not isinstance(data, dict) or data.get("id") in (None, ""):
            raise MalformedResponseError("The URL answer is not an object with an id.")
        children = data.get("child_urls")
        if isinstance(children, str):
            try:
                children = json.loads(children) if children.strip() else []
            except ValueError:
                children = None
        if not isinstance(children, list):
            if children not in (None, ""):
                _logger.warning("Intellipush: child_urls of URL %s is not a list; no child visits read", provider_id)
            children = []
        rows = [row for row in children if isinstance(row, dict) and row.get("id") not in (None, "")]
        if len(rows) != len(children):
            _logger.warning("Intellipush: skipped %s malformed child URL(s)", len(children) - len(rows))
        return self._url_visits(data, children=tuple(self._url_visits(row) for row in rows))

    @staticmethod
    def _url_visits(data, children=()):
        return UrlVisits(
            provider_id=str(data["id"]),
            short_url=_first(data, "short_url"),
            visits=_int(data.get("visits")),
            unique_visitors=_int(data.get("unique_visits")),
            first_visit=None,
            last_visit=parse_datetime(data.get("last_visited_time")),
            children=children,
        )

    @staticmethod
    def _short_url(data):
        if not isinstance(data, dict) or not data.get("id") or not data.get("short_url"):
            raise MalformedResponseError("The short URL answer lacks its id or URL.", maybe_delivered=True)
        return ShortUrl(provider_id=str(data["id"]), short_url=str(data["short_url"]), target_url=data.get("long_url"))

    # ------------------------------------------------------------
    # Transport
    # ------------------------------------------------------------

    def _list(self, endpoint, query):
        data = self._call(endpoint, query=query, idempotent=True)
        if data is None:
            return []
        if not isinstance(data, list):
            raise MalformedResponseError(f"The {endpoint} answer is not a list.")
        rows = [row for row in data if isinstance(row, dict) and row.get("id") not in (None, "")]
        if len(rows) != len(data):
            _logger.warning("Intellipush: skipped %s malformed row(s) of %s", len(data) - len(rows), endpoint)
        return rows

    def _token(self, force=False):
        """CONTRACT §1.2: client credentials with HTTP Basic."""
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
        try:
            lifetime = float(answer.get("expires_in") or DEFAULT_TOKEN_LIFETIME)
        except (TypeError, ValueError):
            lifetime = DEFAULT_TOKEN_LIFETIME
        TOKEN_CACHE.put(self._cache_key, access_token, lifetime)
        return access_token

    def _call(self, endpoint, *, query=None, body=None, idempotent):
        """Call ``endpoint`` (a key of :data:`ENDPOINTS`); return the envelope's ``data``.

        ``idempotent`` calls are retried on transient failures; the others
        only when the request never left.
        """
        attempt = 0
        renewed_token = False
        while True:
            attempt += 1
            try:
                return self._call_once(endpoint, query, body, idempotent)
            except TokenRefusedError as error:
                if renewed_token:
                    raise TokenRefusedError(
                        f"Intellipush refused {endpoint} with a renewed access token too; nothing was sent.",
                        status=error.status,
                    ) from None
                renewed_token = True  # the token expired early: renew it once
                TOKEN_CACHE.drop(self._cache_key, error.token)
            except IntellipushError as error:
                transient = isinstance(error, ConnectionFailedError) or (
                    idempotent and isinstance(error, ServerError | RequestTimeoutError | MalformedResponseError)
                )
                if not transient or attempt > self.max_retries:
                    raise
                time.sleep(self.backoff * 2 ** (attempt - 1))

    def _call_once(self, endpoint, query, body, idempotent):
        method, path = ENDPOINTS[endpoint]
        token = self._token()
        maybe = not idempotent
        url = f"{self.base_url}/restv2/{path}"
        if query:
            url = f"{url}?{serialize_query(query)}"
        headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/json",
            "Content-Type": "application/json",
        }
        try:
            # CONTRACT §1.3: a JSON body only when the call has one (json=None sends none).
            response = self._session.request(method, url, json=body, headers=headers, timeout=self.timeout)
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
            raise TokenRefusedError("Intellipush refused the access token.", token=token, status=401)
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
            if response.status_code >= 400:
                raise RefusedError(
                    f"Intellipush answered HTTP {response.status_code} to {method} {path}.",
                    status=response.status_code,
                ) from None
            raise MalformedResponseError(
                f"Intellipush answered {endpoint} with something that is not JSON.", maybe_delivered=maybe
            ) from None
        if isinstance(envelope, list) and endpoint == "sms/createBatch":
            return envelope  # CONTRACT §4.2: the v4 batch answer, a bare list of per-item envelopes
        if not isinstance(envelope, dict) or "success" not in envelope:
            if response.status_code >= 400:
                raise RefusedError(
                    f"Intellipush answered HTTP {response.status_code} to {method} {path}.",
                    status=response.status_code,
                )
            raise MalformedResponseError(
                f"Intellipush answered {endpoint} without its envelope.", maybe_delivered=maybe
            )
        if not envelope.get("success"):
            raise _error_from_envelope(envelope, status=response.status_code)
        return envelope.get("data")


def check_base_url(base_url):
    """Raise ConfigurationError unless credentials may travel to ``base_url``:
    HTTPS to a host, or plain HTTP on loopback, where the sandbox runs."""
    parts = urlsplit(base_url or "")
    host = parts.hostname or ""
    if parts.scheme == "https" and host:
        return
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if parts.scheme != "http" or not loopback:
        raise ConfigurationError(f"The Intellipush API URL must use https: {base_url}")


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


def bounded_seconds(value, longest):
    """``value`` as seconds between 0 and ``longest``, or None when it is no
    number at all: an absurd delay (1e12, infinity, NaN) must neither overflow
    a date nor stall a queue for ever."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), float(longest))


def _retry_after(response):
    """Retry-After in seconds, bounded (CONTRACT §1.8)."""
    return bounded_seconds(response.headers.get("Retry-After", ""), MAX_RETRY_AFTER)
