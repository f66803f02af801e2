import json
from datetime import datetime

import pytest

from intellipush_sms.tools.access_codes import keyed_hash
from intellipush_sms.tools.personal_data import (
    EXPORT_FORMAT,
    contains_number,
    digit_forms,
    digits,
    export_document,
    number_hash,
)
from intellipush_sms.tools.phone_numbers import normalize

SECRET = "database-secret"


def test_number_hash_is_keyed_and_stable():
    first = number_hash(SECRET, "+4741234567")
    assert first == number_hash(SECRET, "+4741234567")
    assert len(first) == 64
    assert first != number_hash("another-database", "+4741234567")
    assert first != number_hash(SECRET, "+4741234568")
    # Not the access codes' hash of the same value: another scope.
    assert first != keyed_hash(SECRET, "access-code:1", "+4741234567")


def test_number_hash_needs_a_secret():
    with pytest.raises(ValueError):
        number_hash("", "+4741234567")


@pytest.mark.parametrize(
    ("typed", "region"),
    [("+47 412 34 567", "NO"), ("0047 41234567", "NO"), ("412 34 567", "NO"), ("070-123 45 67", "SE")],
)
def test_every_way_of_typing_a_number_is_among_its_forms(typed, region):
    phone = normalize(typed, region, mobile_only=False)
    assert digits(typed) in digit_forms(phone.country_code, phone.national_number)


def test_forms_of_a_norwegian_number():
    assert digit_forms(47, "41234567") == ["004741234567", "041234567", "41234567", "4741234567"]


def test_contains_number_finds_it_written_with_separators():
    forms = digit_forms(47, "41234567")
    assert contains_number('SMS "Butikk stopp" from +4741234567', forms)
    assert contains_number("Ring meg på 412 34 567 i morgen", forms)
    assert contains_number("Fra 41-23-45-67.", forms)
    assert not contains_number("Ordre S00041234567890 er klar", forms)
    assert not contains_number("Ring 934 56 789", forms)
    assert not contains_number(None, forms)


def test_export_document_lists_every_kind_with_its_count():
    when = datetime(2026, 12, 2, 10, 30)
    document = json.loads(
        export_document(
            "+4741234567",
            {
                "sms": ("SMS", [{"body": "Hei Kari ✓", "sent_at": when, "state": "sent"}]),
                "inbound": ("Received SMS", []),
            },
            generated_at=when,
        )
    )
    assert document["format"] == EXPORT_FORMAT
    assert document["number"] == "+4741234567"
    assert document["generated_at"] == "2026-12-02T10:30:00"
    assert document["counts"] == {"sms": 1, "inbound": 0}
    assert document["data"]["sms"]["records"] == [
        {"body": "Hei Kari ✓", "sent_at": "2026-12-02T10:30:00", "state": "sent"}
    ]
    assert document["data"]["inbound"] == {"label": "Received SMS", "records": []}


def test_export_document_keeps_norwegian_letters_readable():
    raw = export_document("+4741234567", {"sms": ("SMS", [{"body": "Blåbær på tilbud"}])}, datetime(2026, 1, 1))
    assert "Blåbær på tilbud".encode() in raw


def test_export_document_refuses_what_it_cannot_write():
    with pytest.raises(TypeError):
        export_document("+4741234567", {"sms": ("SMS", [{"body": object()}])}, datetime(2026, 1, 1))
