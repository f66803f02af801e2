"""A local, strict stand-in for the Intellipush restv2 service.

It behaves as ``CONTRACT.md`` (beside this file) describes the real service,
not as our client would like: every route and every behaviour choice cites its
section there as ``CONTRACT §n``. Where the contract marks a fact **assumed**,
the sandbox makes one plausible choice and says so; the client must rely on
nothing more than the contract.

Routes (CONTRACT §8), keyed by HTTP method and path; anything else is a 404:

- ``POST /oauth2/token``: form ``grant_type=client_credentials``, HTTP Basic auth.
- Under ``/restv2/``, with ``Authorization: Bearer <token>``: ``GET user``;
  ``POST sms/create``, ``sms/createBatch``, ``sms/status``; ``GET sms/getSent``,
  ``sms/getUnsent``, ``sms/getPlanned``, ``sms/getReceived``; ``DELETE sms/delete``;
  ``POST url/generate`` (``url`` in the query string), ``url/generateChild``;
  ``GET url/create`` (URL details); ``POST twofactor/generate``, ``twofactor/validate``.
  GET and DELETE take their parameters from the query string only, POST from
  the JSON body only (except ``url/generate``).
- ``GET /s/<code>``: the short URL's redirect, counting the visit.

Answers are the envelope ``{success, data, errorcode, status_message}`` with
numeric errorcodes (CONTRACT §2): 404 unknown route or method, 501 unknown id,
901 missing or malformed parameter, 902 not a phone number, 903 no credits,
904 empty text, 905 injected refusal, 906 the SMS is no longer unsent.

One file on purpose, long as it is: it is the service side of CONTRACT.md,
route by route in the contract's order, plus the fault injection the tests
steer (CONTRACT, "Sandbox only"); a reviewer reads it against the contract
in one pass, as the client (``intellipush_sms/tools/intellipush_api.py``).

The account clock runs in the account's time zone (``timezone``, default
Europe/Oslo), whatever the machine's zone is; ``advance_clock(seconds)`` moves
it forward so scheduled SMS fall due without waiting.

Steering and inspection go through the :class:`Sandbox` methods, or the same
operations as JSON under ``/_sandbox/`` for other processes. That control API
is unauthenticated: the sandbox binds to loopback and is for development only.

Fault kinds (``inject_fault(kind, endpoint=None, count=1, **params)``; the
endpoint is a path such as ``"sms/createBatch"``, None means any ``/restv2/``
route):

``http_500``, ``http_503``
    answer that status before processing: nothing is stored.
``http_500_after``
    process (the SMS *is* stored), then answer 500.
``timeout``
    process, then wait ``delay`` seconds (default 10) before answering: the
    client gives up while the provider kept the message.
``timeout_before``
    wait ``delay`` seconds, then answer 504 without processing.
``rate_limit``
    answer 429 with ``Retry-After: retry_after`` (default 2), not processed;
    ``retry_after_header=False`` leaves the header out.
``expired_token``
    answer 401 ``invalid_token`` once, as if the token had just expired.
``malformed_json``
    process, then answer 200 with a body that is not JSON.
``malformed_envelope``
    process, then answer JSON without the envelope's keys.
``partial_batch``
    ``sms/createBatch`` items at ``indices`` are refused with ``errorcode``
    (default 905), the others are accepted.
``drop_connection``
    process, then close the socket without answering.
``truncated_answer``
    process, then send only the first ``keep`` bytes (default: half) of the
    JSON answer and close the connection. ``Content-Length`` announces the
    whole answer, so it ends early; with ``honest_length=True`` it announces
    the cut length instead: a complete HTTP answer whose JSON is cut short.

Not a fault of one route: :meth:`Sandbox.stalled_url` is an address on
loopback whose port takes no connection (its backlog is full and never
accepted), so a connection to it times out before any request leaves.
"""

import base64
import binascii
import heapq
import itertools
import json
import logging
import math
import re
import secrets
import socket
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

_logger = logging.getLogger("intellipush_sandbox")

DEFAULT_API_ID = "sandbox-id"
DEFAULT_API_SECRET = "sandbox-secret"  # noqa: S105 (the sandbox's well-known demo credential)
DEFAULT_TIMEZONE = "Europe/Oslo"
DEFAULT_SENDER_NAME = "Sandbox"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
SEND_TIME_FORMAT = "%Y-%m-%d %H:%M"  # CONTRACT §4.1 timetosend
DEFAULT_PAGE_ITEMS = 50  # CONTRACT §4.4: PY's default
MAX_PAGE_ITEMS = 500  # not public; a bound so that a runaway page size is refused
UNLIMITED_CREDITS = 1_000_000  # what `user` reports while credits are not steered

# CONTRACT §2 errorcodes
NOT_FOUND = 404
UNKNOWN_ID = 501
BAD_PARAMETER = 901
BAD_NUMBER = 902
NO_CREDITS = 903
EMPTY_TEXT = 904
INJECTED_REFUSAL = 905
NOT_UNSENT = 906

FAULT_KINDS = frozenset(
    {
        "http_500",
        "http_503",
        "http_500_after",
        "timeout",
        "timeout_before",
        "rate_limit",
        "expired_token",
        "malformed_json",
        "malformed_envelope",
        "partial_batch",
        "drop_connection",
        "truncated_answer",
    }
)
NUMBER_OUTCOMES = ("deliver", "fail", "reject_invalid")
RECEIVED_SHAPES = ("restv2", "v4")
GSM7 = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà\f^{}\\[~]|€"
)

QUERY, BODY = "query", "body"
# CONTRACT §8: (method, path under /restv2/) -> (handler, where its parameters travel)
ROUTES = {
    ("GET", "user"): ("user", QUERY),
    ("POST", "sms/create"): ("sms_create", BODY),
    ("POST", "sms/createBatch"): ("sms_create_batch", BODY),
    ("POST", "sms/status"): ("sms_status", BODY),
    ("GET", "sms/getSent"): ("sms_get_sent", QUERY),
    ("GET", "sms/getUnsent"): ("sms_get_unsent", QUERY),
    ("GET", "sms/getPlanned"): ("sms_get_planned", QUERY),
    ("DELETE", "sms/delete"): ("sms_delete", QUERY),
    ("GET", "sms/getReceived"): ("sms_get_received", QUERY),
    ("POST", "url/generate"): ("url_generate", QUERY),
    ("POST", "url/generateChild"): ("url_generate_child", BODY),
    ("GET", "url/create"): ("url_details", QUERY),
    ("POST", "twofactor/generate"): ("twofactor_generate", BODY),
    ("POST", "twofactor/validate"): ("twofactor_validate", BODY),
}
KNOWN_PATHS = frozenset(path for _method, path in ROUTES)


class Refusal(Exception):
    """A request the service refuses with ``success: false`` and a numeric errorcode."""

    def __init__(self, errorcode, message, http_status=200):
        super().__init__(message)
        self.errorcode = errorcode
        self.http_status = http_status

    def envelope(self):
        return _refused(self.errorcode, str(self))


def _answer(data):
    # CONTRACT §2.1: errorcode is optional, left out of a success
    return {"success": True, "data": data, "status_message": ""}


def _refused(errorcode, message):
    return {"success": False, "data": None, "errorcode": errorcode, "status_message": message}


def _segments(message):
    """The provider's own rough count, for credits_amount (not our encoder)."""
    if set(message) <= GSM7:
        length = len(message) + sum(message.count(char) for char in "\f^{}\\[~]|€")
        return 1 if length <= 160 else math.ceil(length / 153)
    length = len(message.encode("utf-16-le")) // 2
    return 1 if length <= 70 else math.ceil(length / 67)


# Parameter checks: a missing, wrongly named or wrongly typed parameter is 901 (CONTRACT §2)


def _required_str(params, name):
    value = params.get(name)
    if value is None:
        raise Refusal(BAD_PARAMETER, f"Missing required parameter '{name}'.")
    if not isinstance(value, str):
        raise Refusal(BAD_PARAMETER, f"Parameter '{name}' must be a string.")
    return value


def _is_id(value):
    """An id as the string the service hands out; JSON bodies may carry it as a number."""
    return isinstance(value, str | int) and not isinstance(value, bool)


def _required_id(params, name="id"):
    value = params.get(name)
    if value is None:
        raise Refusal(BAD_PARAMETER, f"Missing required parameter '{name}'.")
    if not _is_id(value):
        raise Refusal(BAD_PARAMETER, f"Parameter '{name}' must be an id (string or number).")
    return str(value)


def _query_int(query, name, default, low, high):
    value = query.get(name)
    if value is None:
        return default
    if not re.fullmatch(r"\d+", value) or not low <= int(value) <= high:
        raise Refusal(BAD_PARAMETER, f"Parameter '{name}' must be an integer from {low} to {high}.")
    return int(value)


def _paging(query):
    # CONTRACT §4.4: items and page are optional (TS ISMSGetParams), pages are 1-based
    items = _query_int(query, "items", DEFAULT_PAGE_ITEMS, 1, MAX_PAGE_ITEMS)
    page = _query_int(query, "page", 1, 1, 10**9)
    return (page - 1) * items, page * items


class SandboxState:
    """Everything the sandbox knows; every method holds one lock.

    Times are kept in UTC and shown in the account's time zone (CONTRACT §3)."""

    def __init__(self, api_id, api_secret, token_ttl, auto_deliver_after, timezone_name, sender_name, first_id=1):
        self.lock = threading.RLock()
        self.api_id = api_id
        self.api_secret = api_secret
        self.token_ttl = token_ttl
        self.auto_deliver_after = auto_deliver_after
        self.zone = ZoneInfo(timezone_name)
        self.sender_name = sender_name
        # CONTRACT §2.4: numeric string ids; one counter for SMS, URLs and inbound
        # SMS, which keeps counting across resets as the real service never reuses one.
        self.ids = itertools.count(first_id)
        self.tokens = {}
        self.reset()

    def reset(self):
        """Forget messages, inbound SMS, URLs, faults, steering and the clock offset;
        issued tokens stay valid (use expire_tokens() to test renewal)."""
        with self.lock:
            self.messages = {}  # id -> SMS record, in acceptance order
            self.unsettled = set()  # ids neither sent, failed nor deleted
            # (account time, id) of the next step of each unsettled SMS, earliest first:
            # _advance looks only at what is due, not at every SMS held.
            self.due = []
            self.inbound = []  # oldest first
            self.received_shape = "restv2"
            self.urls = {}
            self.url_codes = {}  # short code -> URL id
            self.faults = []
            self.number_outcomes = {}
            self.credits = None  # None: unlimited
            self.log = []
            self.twofactor_codes = {}  # (countrycode, phonenumber) -> {"code", "spent"}
            self.clock_offset = timedelta()

    def next_id(self):
        return str(next(self.ids))

    # The account clock -------------------------------------------------

    def now(self):
        return datetime.now(timezone.utc) + self.clock_offset

    def local(self, moment, fmt=TIME_FORMAT):
        return moment.astimezone(self.zone).strftime(fmt)

    def advance_clock(self, seconds):
        with self.lock:
            self.clock_offset += timedelta(seconds=seconds)

    # Tokens (CONTRACT §1.2, §1.7) ---------------------------------------

    def issue_token(self):
        with self.lock:
            token = secrets.token_urlsafe(24)
            self.tokens[token] = time.monotonic() + self.token_ttl
            return token

    def token_valid(self, token):
        with self.lock:
            expiry = self.tokens.get(token)
            return expiry is not None and expiry > time.monotonic()

    def expire_tokens(self):
        with self.lock:
            self.tokens.clear()

    # Faults ------------------------------------------------------------

    def inject_fault(self, kind, endpoint=None, count=1, **params):
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}")
        with self.lock:
            self.faults.append({"kind": kind, "endpoint": endpoint, "count": int(count), "params": params})

    def take_fault(self, endpoint):
        with self.lock:
            for fault in self.faults:
                if fault["endpoint"] in (None, endpoint) and fault["count"] > 0:
                    fault["count"] -= 1
                    if not fault["count"]:
                        self.faults.remove(fault)
                    return fault
        return None

    def clear_faults(self):
        with self.lock:
            self.faults.clear()

    def record(self, method, endpoint, status):
        with self.lock:
            self.log.append({"method": method, "endpoint": endpoint, "status": status, "time": time.time()})
        _logger.info("%s %s -> %s", method, endpoint, status)

    # Steering ------------------------------------------------------------

    def set_number_outcome(self, countrycode, phonenumber, outcome):
        if outcome not in NUMBER_OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        with self.lock:
            self.number_outcomes[(countrycode, phonenumber)] = outcome

    def set_credits(self, credits):
        with self.lock:
            self.credits = credits

    def set_sender_name(self, name):
        with self.lock:
            self.sender_name = name

    # The account (CONTRACT §3) -------------------------------------------

    def user(self):
        with self.lock:
            credits = UNLIMITED_CREDITS if self.credits is None else self.credits
            now = self.now().astimezone(self.zone)
            # CONTRACT §3: every field is a string
            return {
                "uid": "1",
                "prepay_customer": "1",
                "dst": "1" if now.dst() else "0",
                "timezonename": self.zone.key,
                "smssendername": self.sender_name,
                "senderemail": "sandbox@example.com",
                "senderemailname": "Intellipush Sandbox",
                "smsprice": "0.50",
                "name": "Intellipush Sandbox",
                "centicredits": str(round(credits * 100)),
            }

    # SMS (CONTRACT §4) -------------------------------------------------------

    def _send_at(self, item):
        """CONTRACT §4.1: ``date`` YYYY-MM-DD and ``time`` HH-mm, in the account's time zone."""
        if "date" not in item and "time" not in item:
            return None
        date, clock = item.get("date"), item.get("time")
        if not (
            isinstance(date, str)
            and isinstance(clock, str)
            and re.fullmatch(r"\d{4}-\d{2}-\d{2}", date)
            and re.fullmatch(r"\d{2}-\d{2}", clock)
        ):
            raise Refusal(BAD_PARAMETER, "A scheduled SMS needs both 'date' (YYYY-MM-DD) and 'time' (HH-mm).")
        try:
            local = datetime.strptime(f"{date} {clock}", "%Y-%m-%d %H-%M")
        except ValueError as error:
            raise Refusal(BAD_PARAMETER, f"'date' and 'time' are not a valid moment: {error}.") from error
        return local.replace(tzinfo=self.zone).astimezone(timezone.utc)

    def create_sms(self, item, injected_errorcode=None):
        """Accept one SMS (CONTRACT §4.1) and answer its ISMSResponse row, or raise a Refusal."""
        if not isinstance(item, dict):
            raise Refusal(BAD_PARAMETER, "Each SMS must be a JSON object.")
        message = _required_str(item, "message")
        phonenumber = _required_str(item, "phonenumber")
        countrycode = item.get("countrycode", "0047")  # CONTRACT §4.1 default
        if not isinstance(countrycode, str):
            raise Refusal(BAD_PARAMETER, "Parameter 'countrycode' must be a string.")
        if not message.strip():
            raise Refusal(EMPTY_TEXT, "The message text is empty.")
        if not re.fullmatch(r"00\d{1,3}", countrycode) or not re.fullmatch(r"\d{4,14}", phonenumber):
            raise Refusal(BAD_NUMBER, "Invalid phone number.")
        scheduled_at = self._send_at(item)
        if injected_errorcode is not None:
            raise Refusal(injected_errorcode, "Refused by the sandbox (injected fault).")
        with self.lock:
            if self.number_outcomes.get((countrycode, phonenumber)) == "reject_invalid":
                raise Refusal(BAD_NUMBER, "Invalid phone number.")
            cost = _segments(message)
            if self.credits is not None:
                if self.credits < cost:
                    raise Refusal(NO_CREDITS, "Not enough credits.")
                self.credits -= cost
            sms = {
                "id": self.next_id(),
                "message": message,
                "countrycode": countrycode,
                "phonenumber": phonenumber,
                # CONTRACT §4.1: the date and time asked for, echoed; empty for an immediate SMS (assumed)
                "date": item.get("date", ""),
                "time": item.get("time", ""),
                "credits_amount": cost,
                "scheduled": scheduled_at is not None,
                "send_at": scheduled_at or self.now(),
                "handed_on_at": None,
                "sendt": 0,
                "failed": 0,
                "deleted": 0,
                "tries": 0,
                "timesendt": None,
                "failure_reason": None,
            }
            self.messages[sms["id"]] = sms
            self.unsettled.add(sms["id"])
            heapq.heappush(self.due, (sms["send_at"], sms["id"]))
            self._advance()
            return self._row(sms)

    def _row(self, sms):
        """CONTRACT §4.1: the full ISMSResponse field set."""
        return {
            "id": sms["id"],
            "text_message": sms["message"],
            "html_message": "",
            "date": sms["date"],
            "time": sms["time"],
            "method": "sms",
            "repeat": "",
            "single_target_countrycode": sms["countrycode"],
            "single_target": sms["phonenumber"],
            "contact_id": "",
            "contactlist_id": "",
            "contactlist_filter": "",
            "use_sendername": True,
            "two_way_session": "",
            "credits_amount": sms["credits_amount"],
            "timetosend": self.local(sms["send_at"], SEND_TIME_FORMAT),
            "epochtimetosend": int(sms["send_at"].timestamp()),
        }

    def _status(self, sms):
        """CONTRACT §4.3: ISMSStatusObject (tries is a string there)."""
        return {
            "id": sms["id"],
            "sendt": sms["sendt"],
            "failed": sms["failed"],
            "tries": str(sms["tries"]),
            "deleted": sms["deleted"],
            "timesendt": self.local(sms["timesendt"]) if sms["timesendt"] else None,
        }

    def _advance(self):
        """Move SMS along the account clock. CONTRACT §4.4: an SMS is "unsent" until
        handed on; an immediate SMS is handed on at once (so it is in getSent as soon
        as it is accepted), a scheduled one when its time comes. auto_deliver_after
        seconds after the hand-on it is delivered, or failed for a "fail" number."""
        now = self.now()
        while self.due and self.due[0][0] <= now:
            _due_at, sms_id = heapq.heappop(self.due)
            if sms_id not in self.unsettled:
                continue  # settled meanwhile (delivered by hand, deleted)
            sms = self.messages[sms_id]
            if sms["handed_on_at"] is None:
                sms["handed_on_at"] = sms["send_at"]
                if self.auto_deliver_after is not None:
                    heapq.heappush(self.due, (sms["handed_on_at"] + timedelta(seconds=self.auto_deliver_after), sms_id))
                continue
            failing = self.number_outcomes.get((sms["countrycode"], sms["phonenumber"])) == "fail"
            self._settle(sms, not failing, "not delivered" if failing else None)

    def _settle(self, sms, delivered, reason=None):
        sms["tries"] += 1
        if delivered:
            sms["sendt"] = 1
            sms["timesendt"] = self.now()
        else:
            sms["failed"] = 1
            sms["failure_reason"] = reason
        self.unsettled.discard(sms["id"])

    def _settle_handed_on(self, ids, delivered, reason=None):
        """Settle SMS already handed on; a scheduled SMS cannot become sent before its time."""
        with self.lock:
            self._advance()
            for sms_id in list(self.unsettled) if ids is None else [str(sms_id) for sms_id in ids]:
                sms = self.messages.get(sms_id)
                if sms_id in self.unsettled and sms["handed_on_at"] is not None:
                    self._settle(sms, delivered, reason)

    def deliver(self, ids=None):
        self._settle_handed_on(ids, True)

    def fail(self, ids, reason="not delivered"):
        self._settle_handed_on(ids, False, reason)

    def _known_sms(self, sms_id):
        sms = self.messages.get(sms_id)
        if sms is None:
            raise Refusal(UNKNOWN_ID, f"Unknown SMS id {sms_id}.")  # CONTRACT §2.2
        return sms

    def _planned(self, sms_id):
        sms = self._known_sms(sms_id)
        if sms["deleted"] or sms["handed_on_at"] is not None:
            raise Refusal(NOT_UNSENT, f"SMS {sms_id} is no longer unsent (already sent or deleted).")
        return sms

    def statuses(self, ids):
        with self.lock:
            self._advance()
            # CONTRACT §4.3: keyed by id; an unknown id is left out
            return {sms_id: self._status(self.messages[sms_id]) for sms_id in ids if sms_id in self.messages}

    def sms_page(self, sent, start, stop):
        """CONTRACT §4.4: getSent (handed on, including failed) or getUnsent (waiting),
        newest first by send time; deleted SMS are in neither."""
        with self.lock:
            self._advance()
            rows = [
                sms
                for sms in self.messages.values()
                if not sms["deleted"] and (sms["handed_on_at"] is not None) == sent
            ]
            rows.sort(key=lambda sms: (sms["send_at"], int(sms["id"])), reverse=True)
            return [self._row(sms) for sms in rows[start:stop]]

    def planned(self, sms_id):
        with self.lock:
            self._advance()
            return self._row(self._planned(sms_id))

    def delete_sms(self, sms_id):
        """CONTRACT §4.5: only an SMS that is not yet sent can be deleted."""
        with self.lock:
            self._advance()
            sms = self._planned(sms_id)
            sms["deleted"] = 1
            self.unsettled.discard(sms_id)
            if self.credits is not None:
                self.credits += sms["credits_amount"]  # never sent, so not paid for (assumed)
            return self._row(sms)

    def messages_view(self):
        """The SMS as the wire shows them, plus the names tests read and the delivery state."""
        with self.lock:
            self._advance()
            return [
                {
                    **self._row(sms),
                    **self._status(sms),
                    "message": sms["message"],
                    "countrycode": sms["countrycode"],
                    "phonenumber": sms["phonenumber"],
                    "scheduled": self.local(sms["send_at"], SEND_TIME_FORMAT) if sms["scheduled"] else None,
                    "failure_reason": sms["failure_reason"],
                }
                for sms in self.messages.values()
            ]

    # Two-factor codes (CONTRACT §7) -----------------------------------------

    def twofactor_generate(self, countrycode, phonenumber, before, after):
        """Text a new six-digit code between ``before`` and ``after``, an SMS like any
        other; it replaces the number's previous code."""
        code = f"{secrets.randbelow(10**6):06d}"
        message = before + code + after
        row = self.create_sms({"countrycode": countrycode, "phonenumber": phonenumber, "message": message})
        with self.lock:
            self.twofactor_codes[(countrycode, phonenumber)] = {"code": code, "spent": False}
        # CONTRACT §7 ITwoFactorGenerateResponse (all strings); priority and the ids are assumed
        return {
            "id": row["id"],
            "timetosend": row["timetosend"],
            "priority": "1",
            "internal_id": "",
            "external_id": "",
            "in_progress": "0",
            "text_message": row["text_message"],
            "method": "sms",
            "single_target_countrycode": countrycode,
            "single_target": phonenumber,
            "use_sendername": "1",
        }

    def twofactor_validate(self, countrycode, phonenumber, code):
        """CONTRACT §7: a code that validates is spent; a wrong code spends nothing."""
        with self.lock:
            current = self.twofactor_codes.get((countrycode, phonenumber))
            if current is None or current["spent"]:
                return False
            if not secrets.compare_digest(current["code"].encode(), code.encode()):
                return False
            current["spent"] = True
            return True

    def twofactor_code(self, countrycode, phonenumber):
        with self.lock:
            current = self.twofactor_codes.get((countrycode, phonenumber))
            return current and current["code"]

    # Inbound SMS (CONTRACT §5) ----------------------------------------------

    def add_inbound(self, countrycode, phonenumber, message, received_at=None):
        """An SMS from a handset; ``received_at`` naive means the account's time zone."""
        if received_at is None:
            received = self.now()
        elif received_at.tzinfo is None:
            received = received_at.replace(tzinfo=self.zone).astimezone(timezone.utc)
        else:
            received = received_at.astimezone(timezone.utc)
        words = message.split()
        with self.lock:
            inbound_id = self.next_id()
            self.inbound.append(
                {
                    "id": inbound_id,
                    "countrycode": countrycode,
                    "phonenumber": phonenumber,
                    "message": message,
                    "keyword": words[0].upper() if words else "",
                    "received": received,
                }
            )
            return inbound_id

    def add_received_row(self, row):
        """A row answered verbatim by getReceived (e.g. without an id or a number),
        for the client's defensive parsing (CONTRACT §5: the fields are not public)."""
        with self.lock:
            self.inbound.append({"raw": dict(row), "keyword": str(row.get("keyword") or "")})

    def set_received_shape(self, shape):
        if shape not in RECEIVED_SHAPES:
            raise ValueError(f"unknown received shape {shape!r}")
        with self.lock:
            self.received_shape = shape

    def _received_row(self, entry):
        if "raw" in entry:
            return dict(entry["raw"])
        if self.received_shape == "v4":
            return {
                "id": entry["id"],
                "message": entry["message"],
                "countrycode": entry["countrycode"],
                "phonenumber": entry["phonenumber"],
                "keyword": entry["keyword"],
                "received": self.local(entry["received"]),
            }
        # CONTRACT §5: the sandbox's restv2 shape; single_target* is the sender's number
        return {
            "id": entry["id"],
            "text_message": entry["message"],
            "single_target_countrycode": entry["countrycode"],
            "single_target": entry["phonenumber"],
            "keyword": entry["keyword"],
            "timetosend": self.local(entry["received"], SEND_TIME_FORMAT),
        }

    def received_page(self, start, stop, keyword):
        """CONTRACT §5: newest first; a keyword matches the first word, case-insensitively;
        an empty keyword lists everything."""
        with self.lock:
            entries = list(reversed(self.inbound))
            if keyword:
                entries = [entry for entry in entries if entry["keyword"].casefold() == keyword.casefold()]
            return [self._received_row(entry) for entry in entries[start:stop]]

    # Short URLs (CONTRACT §6) -------------------------------------------------

    def create_url(self, long_url, host):
        """CONTRACT §6.1: a new short URL, answered as IUrlResponse."""
        with self.lock:
            return self._new_url(long_url, host, None, None)

    def create_child_url(self, parent_id, host, target):
        """CONTRACT §6.2: a short URL for one recipient of the parent's long URL."""
        with self.lock:
            parent = self.urls.get(parent_id)
            if parent is None:
                raise Refusal(UNKNOWN_ID, f"Unknown parent URL id {parent_id}.")  # CONTRACT §2.2
            child = self._new_url(parent["long_url"], host, parent_id, target)
            parent["children"].append(child["id"])
            return child

    def _new_url(self, long_url, host, parent_id, target):
        url_id = self.next_id()
        code = secrets.token_urlsafe(6)
        url = {
            "id": url_id,
            "long_url": long_url,
            "short_url": f"http://{host}/s/{code}",
            "created": self.now(),
            "parent_id": parent_id,
            "target": target,
            "children": [],
            "visits": 0,
            "visitors": set(),
            "last_visit": None,
        }
        self.urls[url_id] = url
        self.url_codes[code] = url_id
        return {
            "id": url_id,
            "long_url": long_url,
            "short_url": url["short_url"],
            "created": self.local(url["created"]),
        }

    def url_details(self, url_id):
        with self.lock:
            url = self.urls.get(url_id)
            if url is None:
                raise Refusal(UNKNOWN_ID, f"Unknown URL id {url_id}.")  # CONTRACT §2.2
            return self._details(url)

    def _details(self, url):
        """CONTRACT §6.3 IUrlDetailsResponse, every field a string except child_urls: a
        list of the children's own details (assumed). A top-level URL has "" for its
        parent and target fields (assumed); ``sendt``'s meaning is not public and stays "0"."""
        target = url["target"] or {}
        return {
            "id": url["id"],
            "long_url": url["long_url"],
            "short_url": url["short_url"],
            "created": self.local(url["created"]),
            "parent_url_id": url["parent_id"] or "",
            "visited": "1" if url["visits"] else "0",
            "visits": str(url["visits"]),
            "unique_visits": str(len(url["visitors"])),
            "child_urls": [self._details(self.urls[child_id]) for child_id in url["children"]],
            "last_visited_time": self.local(url["last_visit"]) if url["last_visit"] else "",
            "target_countrycode": target.get("countrycode", ""),
            "target_phonenumber": target.get("phonenumber", ""),
            "target_email": target.get("email", ""),
            "target_contact_id": str(target["contact_id"]) if target else "",
            "sendt": "0",
        }

    def click(self, code, visitor="127.0.0.1"):
        """A visit to a short URL: counts it and answers the long URL, or None."""
        with self.lock:
            url = self.urls.get(self.url_codes.get(code))
            if url is None:
                return None
            url["visits"] += 1
            url["visitors"].add(visitor)
            url["last_visit"] = self.now()
            return url["long_url"]


class _Handler(BaseHTTPRequestHandler):
    server_version = "IntellipushSandbox/2.0"
    protocol_version = "HTTP/1.1"

    @property
    def state(self):
        return self.server.state

    def log_message(self, format, *args):  # noqa: A002 (BaseHTTPRequestHandler's signature)
        _logger.debug("%s %s", self.address_string(), format % args)

    # Plumbing ----------------------------------------------------------

    def _read_body(self):
        """Read this request's body. Done first for every request: a body left
        unread would corrupt the next request on this keep-alive connection."""
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        self.body = self.rfile.read(length) if length > 0 else b""

    def _send(self, status, payload=None, raw=None, headers=None):
        body = raw if raw is not None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json" if raw is None else "text/html")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _json_body(self):
        """A POST route's parameters. An empty body has none (so its required
        parameters are missing); a body that is not a JSON object is refused with 400."""
        if not self.body:
            return {}
        try:
            payload = json.loads(self.body)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise Refusal(BAD_PARAMETER, "The body is not valid JSON.", http_status=400) from error
        if not isinstance(payload, dict):
            raise Refusal(BAD_PARAMETER, "The body must be a JSON object.", http_status=400)
        return payload

    def _not_found(self, message):
        self._send(404, _refused(NOT_FOUND, message))  # CONTRACT §1.6

    # Routing -----------------------------------------------------------

    def do_GET(self):  # noqa: N802 (http.server naming)
        self._dispatch("GET")

    def do_POST(self):  # noqa: N802 (http.server naming)
        self._dispatch("POST")

    def do_PUT(self):  # noqa: N802 (http.server naming)
        self._dispatch("PUT")

    def do_PATCH(self):  # noqa: N802 (http.server naming)
        self._dispatch("PATCH")

    def do_DELETE(self):  # noqa: N802 (http.server naming)
        self._dispatch("DELETE")

    def _dispatch(self, method):
        self._read_body()
        parts = urlsplit(self.path)
        path = parts.path
        # CONTRACT §1.4: plain key=value pairs; a repeated key counts once
        query = {key: values[0] for key, values in parse_qs(parts.query, keep_blank_values=True).items()}
        try:
            if path == "/oauth2/token" and method == "POST":
                self._token()
            elif path.startswith("/restv2/"):
                self._rest(method, path.removeprefix("/restv2/"), query)
            elif path.startswith("/s/") and method == "GET":
                self._redirect(path.removeprefix("/s/"))
            elif path.startswith("/_sandbox/"):
                self._control(method, path.removeprefix("/_sandbox/"))
            else:
                self._not_found(f"No route {method} {path}.")
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _redirect(self, code):
        # CONTRACT §6.3: each visit counts in visits, unique_visits and last_visited_time
        target = self.state.click(code, self.client_address[0])
        if target is None:
            self._not_found("Unknown short URL.")
            return
        self.send_response(302)
        self.send_header("Location", target)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _token(self):
        # CONTRACT §1.2: form body grant_type=client_credentials, HTTP Basic client authentication
        form = parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        scheme, _sep, credentials = self.headers.get("Authorization", "").partition(" ")
        try:
            api_id, _sep, api_secret = base64.b64decode(credentials, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            api_id = api_secret = None
        if scheme != "Basic" or (api_id, api_secret) != (self.state.api_id, self.state.api_secret):
            self.state.record("POST", "oauth2/token", 401)
            # CONTRACT §1.2: a refused client, RFC 6749 §5.2 (assumed)
            self._send(401, {"error": "invalid_client"}, headers={"WWW-Authenticate": 'Basic realm="intellipush"'})
            return
        grant_type = form.get("grant_type", [None])[0]
        if grant_type != "client_credentials":
            self.state.record("POST", "oauth2/token", 400)
            error = "invalid_request" if grant_type is None else "unsupported_grant_type"
            self._send(400, {"error": error})
            return
        self.state.record("POST", "oauth2/token", 200)
        # CONTRACT §1.2: token_type and expires_in per RFC 6749 §5.1 (assumed)
        self._send(
            200,
            {"access_token": self.state.issue_token(), "token_type": "Bearer", "expires_in": self.state.token_ttl},
        )

    def _refuse_token(self, method, endpoint):
        self.state.record(method, endpoint, 401)
        # CONTRACT §1.7: an expired or unknown bearer token is a 401 (assumed)
        self._send(401, {"error": "invalid_token"}, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})

    def _rest(self, method, endpoint, query):
        token = self.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not self.state.token_valid(token):
            self._refuse_token(method, endpoint)
            return
        route = ROUTES.get((method, endpoint))
        if route is None:
            # CONTRACT §1.6: an unknown route, or a known one called with another method
            self.state.record(method, endpoint, 404)
            if endpoint in KNOWN_PATHS:
                self._not_found(f"{endpoint} does not take {method}.")
            else:
                self._not_found(f"Unknown route {endpoint}.")
            return
        handler_name, source = route
        fault = self.state.take_fault(endpoint)
        kind = fault["kind"] if fault else None
        params = fault["params"] if fault else {}
        if self._fault_before_processing(method, endpoint, kind, params):
            return
        self.injected_refusals = params if kind == "partial_batch" else {}
        try:
            # CONTRACT §1.3: GET and DELETE carry their parameters in the query string
            arguments = query if source == QUERY else self._json_body()
            status, payload = 200, getattr(self, "_api_" + handler_name)(arguments)
        except Refusal as refusal:
            status, payload = refusal.http_status, refusal.envelope()
        self._answer_after_processing(method, endpoint, kind, params, status, payload)

    def _fault_before_processing(self, method, endpoint, kind, params):
        """Answer an injected fault that leaves nothing stored; True if one was answered."""
        if kind in ("http_500", "http_503"):
            status = int(kind[-3:])
            self.state.record(method, endpoint, status)
            self._send(status, _refused(INJECTED_REFUSAL, "Injected server error."))
        elif kind == "timeout_before":
            time.sleep(float(params.get("delay", 10)))
            self.state.record(method, endpoint, 504)
            self._send(504, _refused(INJECTED_REFUSAL, "Gateway timeout."))
        elif kind == "rate_limit":
            # CONTRACT §1.8: 429 with Retry-After in seconds (assumed)
            self.state.record(method, endpoint, 429)
            retry_after = {"Retry-After": str(params.get("retry_after", 2))}
            headers = retry_after if params.get("retry_after_header", True) else {}
            self._send(429, _refused(INJECTED_REFUSAL, "Too many requests."), headers=headers)
        elif kind == "expired_token":
            self._refuse_token(method, endpoint)
        else:
            return False
        return True

    def _answer_after_processing(self, method, endpoint, kind, params, status, payload):
        if kind == "timeout":
            time.sleep(float(params.get("delay", 10)))
        if kind == "drop_connection":
            self.state.record(method, endpoint, 0)
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if kind == "http_500_after":
            self.state.record(method, endpoint, 500)
            self._send(500, _refused(INJECTED_REFUSAL, "Injected server error."))
            return
        if kind == "malformed_json":
            self.state.record(method, endpoint, 200)
            self._send(200, raw=b"<html>Internal error</html>")
            return
        if kind == "malformed_envelope":
            self.state.record(method, endpoint, 200)
            self._send(200, {"result": "ok"})
            return
        if kind == "truncated_answer":
            self._send_truncated(method, endpoint, status, payload, params)
            return
        self.state.record(method, endpoint, status)
        self._send(status, payload)

    def _send_truncated(self, method, endpoint, status, payload, params):
        """The answer cut after ``keep`` bytes, then the connection closed."""
        body = json.dumps(payload).encode()
        keep = min(int(params.get("keep", len(body) // 2)), len(body) - 1)
        self.state.record(method, endpoint, status)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(keep if params.get("honest_length") else len(body)))
        self.end_headers()
        self.wfile.write(body[:keep])
        self.wfile.flush()
        self.close_connection = True
        self.connection.shutdown(2)

    # restv2 routes: each answers its envelope or raises a Refusal -------------

    def _api_user(self, query):  # CONTRACT §3
        return _answer(self.state.user())

    def _api_sms_create(self, body):  # CONTRACT §4.1
        return _answer(self.state.create_sms(body))

    def _api_sms_create_batch(self, body):  # CONTRACT §4.2
        batch = body.get("batch")
        if batch is None:
            raise Refusal(BAD_PARAMETER, "Missing required parameter 'batch'.")
        if not isinstance(batch, list) or not batch:
            raise Refusal(BAD_PARAMETER, "Parameter 'batch' must be a non-empty list.")
        refused = set(self.injected_refusals.get("indices", ()))
        errorcode = self.injected_refusals.get("errorcode", INJECTED_REFUSAL)
        # CONTRACT §4.2: one envelope per item, in request order; a batch is not atomic
        results = []
        for index, item in enumerate(batch):
            try:
                results.append(_answer(self.state.create_sms(item, errorcode if index in refused else None)))
            except Refusal as refusal:
                results.append(refusal.envelope())
        return _answer(results)

    def _api_sms_status(self, body):  # CONTRACT §4.3
        ids = body.get("id_array")
        if ids is None:
            raise Refusal(BAD_PARAMETER, "Missing required parameter 'id_array'.")
        if not isinstance(ids, list):
            raise Refusal(BAD_PARAMETER, "Parameter 'id_array' must be a list of ids.")
        if not all(_is_id(sms_id) for sms_id in ids):
            raise Refusal(BAD_PARAMETER, "Each id in 'id_array' must be a string or a number.")
        return _answer(self.state.statuses([str(sms_id) for sms_id in ids]))

    def _api_sms_get_sent(self, query):  # CONTRACT §4.4
        return _answer(self.state.sms_page(True, *_paging(query)))

    def _api_sms_get_unsent(self, query):  # CONTRACT §4.4
        return _answer(self.state.sms_page(False, *_paging(query)))

    def _api_sms_get_planned(self, query):  # CONTRACT §4.4
        return _answer(self.state.planned(_required_id(query)))

    def _api_sms_delete(self, query):  # CONTRACT §4.5
        return _answer(self.state.delete_sms(_required_id(query)))

    def _api_sms_get_received(self, query):  # CONTRACT §5
        keyword = query.get("keyword", "")
        return _answer(self.state.received_page(*_paging(query), keyword))

    def _host(self):
        return self.headers.get("Host", "127.0.0.1")

    def _api_url_generate(self, query):  # CONTRACT §6.1: the URL travels in the query string
        long_url = _required_str(query, "url")
        parts = urlsplit(long_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise Refusal(BAD_PARAMETER, "Parameter 'url' must be an http(s) URL.")
        return _answer(self.state.create_url(long_url, self._host()))

    def _api_url_generate_child(self, body):  # CONTRACT §6.2
        parent_id = _required_id(body)
        target = body.get("target")
        if not isinstance(target, dict):
            raise Refusal(BAD_PARAMETER, "Parameter 'target' must be an object.")
        # CONTRACT §6.2: IUrlChildTarget lists all four keys; contact_id 0 and email "" are accepted
        contact_id = target.get("contact_id")
        if isinstance(contact_id, bool) or not isinstance(contact_id, int):
            raise Refusal(BAD_PARAMETER, "Parameter 'target.contact_id' must be a number.")
        for name in ("email", "countrycode", "phonenumber"):
            _required_str(target, name)
        child_target = {name: target[name] for name in ("contact_id", "email", "countrycode", "phonenumber")}
        return _answer(self.state.create_child_url(parent_id, self._host(), child_target))

    def _api_url_details(self, query):  # CONTRACT §6.3: the SDK's details call is GET url/create
        return _answer(self.state.url_details(_required_id(query)))

    def _api_twofactor_generate(self, body):  # CONTRACT §7
        names = ("countrycode", "phonenumber", "message_pre_code", "message_post_code")
        countrycode, phonenumber, before, after = (_required_str(body, name) for name in names)
        return _answer(self.state.twofactor_generate(countrycode, phonenumber, before, after))

    def _api_twofactor_validate(self, body):  # CONTRACT §7
        countrycode, phonenumber, code = (_required_str(body, name) for name in ("countrycode", "phonenumber", "code"))
        return _answer({"access": self.state.twofactor_validate(countrycode, phonenumber, code)})

    # Control API -------------------------------------------------------

    def _control(self, method, action):
        state = self.state
        if method == "GET" and action == "messages":
            self._send(200, state.messages_view())
            return
        if method == "GET" and action == "requests":
            with state.lock:
                self._send(200, list(state.log))
            return
        operation = CONTROL_ACTIONS.get(action) if method == "POST" else None
        if operation is None:
            self._not_found(f"Unknown control action {method} {action}.")
            return
        try:
            result = operation(state, self._json_body())
        except (KeyError, TypeError, ValueError) as error:
            self._send(400, _refused(BAD_PARAMETER, f"Bad control request: {error!r}"))
            return
        except Refusal as refusal:
            self._send(refusal.http_status, refusal.envelope())
            return
        self._send(200, _answer(True if result is None else result))


def _control_fault(state, body):
    kind, endpoint, count = body.pop("kind"), body.pop("endpoint", None), body.pop("count", 1)
    state.inject_fault(kind, endpoint, count, **body)


def _control_inbound(state, body):
    received_at = body.get("received_at")
    return state.add_inbound(
        body["countrycode"],
        body["phonenumber"],
        body["message"],
        datetime.fromisoformat(received_at) if received_at else None,
    )


# /_sandbox/<action> (POST, JSON body) -> the steering operation it runs
CONTROL_ACTIONS = {
    "reset": lambda state, body: state.reset(),
    "deliver": lambda state, body: state.deliver(body.get("ids")),
    "fail": lambda state, body: state.fail(body.get("ids") or [], body.get("reason", "not delivered")),
    "inbound": _control_inbound,
    "received_row": lambda state, body: state.add_received_row(body["row"]),
    "received_shape": lambda state, body: state.set_received_shape(body["shape"]),
    "faults": _control_fault,
    "clear_faults": lambda state, body: state.clear_faults(),
    "number_outcome": lambda state, body: state.set_number_outcome(
        body["countrycode"], body["phonenumber"], body["outcome"]
    ),
    "credits": lambda state, body: state.set_credits(body.get("credits")),
    "sender_name": lambda state, body: state.set_sender_name(body["name"]),
    "advance_clock": lambda state, body: state.advance_clock(float(body["seconds"])),
    "expire_tokens": lambda state, body: state.expire_tokens(),
}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class Sandbox:
    """The sandbox server with its Python steering API; see the module docstring."""

    def __init__(
        self,
        host="127.0.0.1",
        port=0,
        api_id=DEFAULT_API_ID,
        api_secret=DEFAULT_API_SECRET,
        token_ttl=3600,
        auto_deliver_after=None,
        timezone=DEFAULT_TIMEZONE,  # the account's time zone name (CONTRACT §3)
        sender_name=DEFAULT_SENDER_NAME,
        first_id=1,  # the first id handed out (a sandbox started again continues above the last run's)
    ):
        self.state = SandboxState(
            api_id, api_secret, token_ttl, auto_deliver_after, timezone, sender_name, first_id=first_id
        )
        self._host, self._port = host, port
        self._server = None
        self._thread = None
        self._stalled = None  # (listening socket, the connection that fills its backlog)

    @property
    def url(self):
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def _bind(self):
        self._server = _Server((self._host, self._port), _Handler)
        self._server.state = self.state

    def start(self):
        self._bind()
        self._thread = threading.Thread(target=self._server.serve_forever, name="intellipush-sandbox", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self):
        self._bind()
        self._server.serve_forever()

    def stalled_url(self):
        """The base URL of a loopback port that takes no connection: a connect
        to it times out, so no request ever leaves. Opened on first use, closed by stop()."""
        if self._stalled is None:
            listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            listener.bind((self._host, 0))
            listener.listen(0)  # a backlog of one connection, never accepted
            filler = socket.create_connection(listener.getsockname()[:2], timeout=5)
            self._stalled = (listener, filler)
        host, port = self._stalled[0].getsockname()[:2]
        return f"http://{host}:{port}"

    def stop(self):
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._stalled:
            for sock in self._stalled:
                sock.close()
            self._stalled = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    # Steering and inspection (thread-safe) -----------------------------

    def messages(self):
        """Every SMS accepted, oldest first: the wire fields (text_message,
        single_target_countrycode, single_target, timetosend, ...), the status fields
        (sendt, failed, deleted, timesendt), and message, countrycode, phonenumber,
        scheduled (its timetosend, or None) and failure_reason."""
        return self.state.messages_view()

    def reset(self):
        self.state.reset()

    def deliver(self, ids=None):
        """Deliver the given SMS (all if None) that have been handed on."""
        self.state.deliver(ids)

    def fail(self, ids, reason="not delivered"):
        self.state.fail(ids, reason)

    def set_number_outcome(self, countrycode, phonenumber, outcome):
        """``deliver``, ``fail`` (on auto delivery) or ``reject_invalid`` (902 on create)."""
        self.state.set_number_outcome(countrycode, phonenumber, outcome)

    def add_inbound(self, countrycode, phonenumber, message, received_at=None):
        return self.state.add_inbound(countrycode, phonenumber, message, received_at)

    def add_received_row(self, row):
        self.state.add_received_row(row)

    def set_received_shape(self, shape):
        """``restv2`` (default) or ``v4``: ``{id, message, countrycode, phonenumber, keyword, received}``."""
        self.state.set_received_shape(shape)

    def set_credits(self, credits):
        self.state.set_credits(credits)

    def set_sender_name(self, name):
        """The account's sender name, as ``user`` reports it (CONTRACT §3)."""
        self.state.set_sender_name(name)

    def advance_clock(self, seconds):
        """Move the account clock forward, so scheduled SMS fall due."""
        self.state.advance_clock(seconds)

    def expire_tokens(self):
        self.state.expire_tokens()

    def inject_fault(self, kind, endpoint=None, count=1, **params):
        self.state.inject_fault(kind, endpoint, count, **params)

    def clear_faults(self):
        self.state.clear_faults()

    def requests_log(self):
        """Every request answered: ``{method, endpoint, status, time}``."""
        with self.state.lock:
            return [dict(entry) for entry in self.state.log]

    def click(self, short_code, visitor="127.0.0.1"):
        return self.state.click(short_code, visitor)

    def twofactor_code(self, countrycode, phonenumber):
        """The code ``twofactor/generate`` last texted to the number (spent or not), or None."""
        return self.state.twofactor_code(countrycode, phonenumber)
