"""Validation of SMS access codes for door controllers and kiosks.

``POST /intellipush/access/<resource id>/validate`` with ``Authorization:
Bearer <the resource's API key>`` and a JSON object ``{"code": "482913"}``
(plus ``"number"``, the holder's mobile number, where the resource's codes
come from Intellipush two-factor, or to tie a code to its number). The
answer is ``{"access": "granted"}`` or ``{"access": "denied"}``: why a code
is refused is for staff, in the attempt log. A wrong API key is answered
401 and a malformed request 400.
"""

import json
import logging

from odoo.http import Controller, request, route

from ..tools.access_codes import MAX_INPUT_LENGTH as MAX_CODE_LENGTH

_logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 4096
MAX_NUMBER_LENGTH = 32
MAX_ID = 2**31 - 1


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
        # An id beyond PostgreSQL's integer range names no resource (and must not become a 500).
        known_id = resource_id if 0 < resource_id <= MAX_ID else []
        resource_sudo = request.env["intellipush.access.resource"].sudo().browse(known_id).exists()
        if not resource_sudo._access_key_matches(self._bearer_key(httprequest.headers.get("Authorization"))):
            _logger.warning("Access validation with a wrong API key for resource %s from %s", resource_id, remote_addr)
            if resource_sudo:
                resource_sudo._access_record("bad_key", remote_addr=remote_addr)
            return self._answer(401, {"error": "unauthorized"})
        try:
            code, number = self._parse_payload(httprequest)
        except ValueError:
            resource_sudo._access_record("malformed", remote_addr=remote_addr)
            return self._answer(400, {"error": "bad_request"})
        granted = resource_sudo._access_validate(code, number, remote_addr=remote_addr)
        return self._answer(200, {"access": "granted" if granted else "denied"})

    @staticmethod
    def _bearer_key(authorization):
        scheme, _separator, key = (authorization or "").strip().partition(" ")
        return key.strip() if scheme.lower() == "bearer" else ""

    @staticmethod
    def _parse_payload(httprequest):
        """``(code, number or None)`` from the JSON body; ValueError for anything else."""
        if (httprequest.content_length or 0) > MAX_BODY_BYTES:
            raise ValueError("body too large")
        raw = httprequest.get_data(cache=True)
        if not raw or len(raw) > MAX_BODY_BYTES:
            raise ValueError("empty or too large body")
        try:
            payload = json.loads(raw)
        except (ValueError, RecursionError) as error:  # not UTF-8, not JSON, or nested too deep
            raise ValueError("not JSON") from error
        if not isinstance(payload, dict):
            raise ValueError("not a JSON object")
        code, number = payload.get("code"), payload.get("number")
        if not isinstance(code, str) or not code.strip() or len(code) > MAX_CODE_LENGTH:
            raise ValueError("bad code")
        if number is not None and (not isinstance(number, str) or len(number) > MAX_NUMBER_LENGTH):
            raise ValueError("bad number")
        return code, number or None

    @staticmethod
    def _answer(status, payload):
        return request.make_json_response(payload, status=status, headers=[("Cache-Control", "no-store")])
