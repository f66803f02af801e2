"""Personal data by phone number (GDPR): the keyed hash that keeps an erased
number's opt-out, the digit forms a number is found under, and the export
document. Plain Python: no Odoo import.

Only a keyed hash of an erased number is kept (HMAC-SHA256 under a secret of
the database): whoever holds a copy of the suppression list cannot tell whose
numbers are on it, nor test a guess without the secret.
"""

import base64
import json
import re
from datetime import date, datetime

from .access_codes import keyed_hash

HASH_SCOPE = "suppression"
EXPORT_FORMAT = "intellipush-personal-data/1"
_NOT_DIGITS = re.compile(r"\D")


def number_hash(secret, e164):
    """The keyed hash under which an erased number is suppressed."""
    return keyed_hash(secret, HASH_SCOPE, e164)


def digits(text):
    return _NOT_DIGITS.sub("", text or "")


def digit_forms(country_code, national_number):
    """The digits a column may hold for this number, however it was typed:
    ``+47 412 34 567``, ``0047…``, ``412 34 567``, ``0412…`` (a trunk prefix,
    as in Sweden's ``070…``). A prefilter: callers parse what it finds."""
    national = str(national_number)
    country = str(country_code)
    return sorted({country + national, "00" + country + national, national, "0" + national})


def _jsonable(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not exportable")


def export_document(number, sections, generated_at):
    """The export file (UTF-8 JSON) of what is held on ``number``.

    ``sections`` maps a kind ("sms", "inbound", …) to ``(label, rows)``,
    rows being dicts of plain values; every kind appears, with its count,
    also when nothing is held, so the reader sees what was looked for."""
    document = {
        "format": EXPORT_FORMAT,
        "number": number,
        "generated_at": _jsonable(generated_at),
        "counts": {kind: len(rows) for kind, (_label, rows) in sections.items()},
        "data": {kind: {"label": label, "records": rows} for kind, (label, rows) in sections.items()},
    }
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False, default=_jsonable).encode()


def contains_number(text, forms):
    """Whether ``text`` holds the number in one of its digit ``forms``,
    written with spaces, dots or dashes between the digits."""
    if not text:
        return False
    runs = (digits(run) for run in re.findall(r"\+?\d[\d .\-]{5,}\d", text))
    return any(run in forms for run in runs)
