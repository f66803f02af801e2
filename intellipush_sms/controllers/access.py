"""Validation of SMS access codes for door controllers and kiosks.

``POST /intellipush/access/<resource id>/validate`` with ``Authorization:
Bearer <the resource's API key>`` and a JSON object in UTF-8 ``{"code": "482913"}``
(plus ``"number"``, the holder's mobile number, where the resource's codes
come from Intellipush two-factor, or to tie a code to its number). The
answer is ``{"access": "granted"}`` or ``{"access": "denied"}``: why a code
is refused is for staff, in the attempt log. A wrong API key is answered
401 and a malformed request 400; neither writes to the database.

Resource ids are small sequential numbers, so an unknown id and a wrong key
get the same answer; any other path under ``/intellipush/access/`` (an id
that is no number, a NUL byte) is a 404. Wrong keys are rate-limited in
memory, per client address and per resource id: past the allowance, the
answer is 429 with ``Retry-After`` (from a throttled client, even with the
right key).
"""

import json
import logging
import math

from odoo.http import Controller, request, route

from ..tools.access_codes import MAX_INPUT_LENGTH as MAX_CODE_LENGTH
from ..tools.rate_limit import RateLimiter
from ..tools.storable_text import is_storable

_logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 4096
MAX_NUMBER_LENGTH = 32
MAX_KEY_LENGTH = 256
MAX_ID = 2**31 - 1
# A door that has its key never uses these: they only slow down those who guess.
CLIENT_LIMITER = RateLimiter(capacity=10, interval=60)  # wrong keys per client address
RESOURCE_LIMITER = RateLimiter(capacity=30, interval=10)  # wrong keys per resource id, from anyone


class IntellipushAccessController(Controller):
    @route(
        "/intellipush/access/<int:resource_id>/validate",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def intellipush_access_validate(self, resource_id, **_kwargs):
        httprequest = request.httprequest
        remote_addr = httprequest.remote_addr
        throttled = CLIENT_LIMITER.check(remote_addr)
        if throttled.wait:
            if throttled.refused == 1:
                _logger.warning("Access validation: repeated wrong API keys from %s, throttled", remote_addr)
            return self._too_many_requests(throttled.wait)
        key = self._bearer_key(httprequest.headers.get("Authorization"))
        # An id beyond PostgreSQL's integer range names no resource (and must not become a 500).
        resource_sudo = (
            request.env["intellipush.access.resource"]
            .sudo()
            ._access_authenticate(resource_id if 0 < resource_id <= MAX_ID else 0, key)
        )
        if not resource_sudo:
            return self._refuse_unauthenticated(resource_id, remote_addr)
        try:
            code, number = self._parse_payload(httprequest)
        except ValueError as error:
            # The door's own bug, for its integrator in the server log: nothing to store.
            _logger.warning(
                "Access resource %s: malformed validation request from %s (%s)", resource_id, remote_addr, error
            )
            return self._answer(400, {"error": "bad_request"})
        granted = resource_sudo._access_validate_in_turn(code, number, remote_addr=remote_addr)
        return self._answer(200, {"access": "granted" if granted else "denied"})

    @route("/intellipush/access/<path:_path>", type="http", auth="none", csrf=False, save_session=False)
    def intellipush_access_unknown(self, **_kwargs):
        """Not a validation URL: 404 at once. Odoo's own 404 would first look
        the path up among attachments, which fails (500) on a NUL byte."""
        return self._answer(404, {"error": "not_found"})

    def _refuse_unauthenticated(self, resource_id, remote_addr):
        """401, or 429 once the client or the resource id has used its allowance
        of wrong keys. Counted in memory: a wrong key writes nothing."""
        client, resource = CLIENT_LIMITER.hit(remote_addr), RESOURCE_LIMITER.hit(resource_id)
        if client.refused == 1 or resource.refused == 1:
            _logger.warning(
                "Access validation: repeated wrong API keys for resource %s (last from %s), throttled",
                resource_id,
                remote_addr,
            )
        elif not client.refused and not resource.refused:
            _logger.info("Access validation with a wrong API key for resource %s from %s", resource_id, remote_addr)
        wait = max(client.wait, resource.wait)
        if wait:
            return self._too_many_requests(wait)
        return self._answer(401, {"error": "unauthorized"})

    @staticmethod
    def _bearer_key(authorization):
        scheme, _separator, key = (authorization or "").strip().partition(" ")
        key = key.strip()
        return key if scheme.lower() == "bearer" and len(key) <= MAX_KEY_LENGTH else ""

    @staticmethod
    def _parse_payload(httprequest):
        """``(code, number or None)`` from the JSON body; ValueError for anything else."""
        if (httprequest.content_length or 0) > MAX_BODY_BYTES:
            raise ValueError("body too large")
        raw = httprequest.get_data(cache=True)
        if not raw or len(raw) > MAX_BODY_BYTES:
            raise ValueError("empty or too large body")
        try:
            # UTF-8 only (RFC 8259 §8.1): json.loads would take UTF-16 and UTF-32 bytes too.
            payload = json.loads(raw.decode("utf-8"))
        except (ValueError, RecursionError) as error:  # not UTF-8, not JSON, or nested too deep
            raise ValueError("not JSON") from error
        if not isinstance(payload, dict):
            raise ValueError("not a JSON object")
        code, number = payload.get("code"), payload.get("number")
        if not isinstance(code, str) or not code.strip() or len(code) > MAX_CODE_LENGTH:
            raise ValueError("bad code")
        if number is not None and (not isinstance(number, str) or len(number) > MAX_NUMBER_LENGTH):
            raise ValueError("bad number")
        # JSON carries NUL characters and lone surrogates, which PostgreSQL cannot store.
        if not is_storable(code) or (number and not is_storable(number)):
            raise ValueError("text the database cannot store")
        return code, number or None

    @classmethod
    def _too_many_requests(cls, wait):
        return cls._answer(429, {"error": "too_many_requests"}, [("Retry-After", str(math.ceil(wait)))])

    @staticmethod
    def _answer(status, payload, headers=()):
        return request.make_json_response(payload, status=status, headers=[("Cache-Control", "no-store"), *headers])
