"""One-time access codes: drawing, hashing, masking and the lock-out rule."""

import string
from collections import Counter
from datetime import datetime, timedelta

import pytest

from intellipush_sms.tools import access_codes as codes
from intellipush_sms.tools.sms_encoding import analyze

SECRET = "database-secret-for-tests"


def test_codes_have_the_length_and_alphabet_asked_for():
    for alphabet, characters in codes.ALPHABETS.items():
        for length in (codes.MIN_LENGTH, 6, codes.MAX_LENGTH):
            code = codes.generate_code(length, alphabet)
            assert len(code) == length
            assert set(code) <= set(characters)


def test_alphanumeric_codes_leave_out_look_alikes():
    assert not set("01OILS5") & set(codes.ALPHABETS["alphanumeric"])


def test_lengths_outside_the_range_are_refused():
    for length in (codes.MIN_LENGTH - 1, codes.MAX_LENGTH + 1):
        with pytest.raises(ValueError):
            codes.generate_code(length)


def test_codes_are_spread_over_the_whole_alphabet():
    # 20,000 digits: each of the ten turns up about 2,000 times; 1,700 is
    # far outside what chance allows for a uniform draw (sigma ~ 42).
    counts = Counter("".join(codes.generate_code(10) for _draw in range(2000)))
    assert set(counts) == set(string.digits)
    assert min(counts.values()) > 1700


def test_codes_typed_by_people_are_normalised():
    assert codes.normalize_code(" 482 913 ") == "482913"
    assert codes.normalize_code("48-29-13") == "482913"
    assert codes.normalize_code("k7pq-2m9x", "alphanumeric") == "K7PQ2M9X"
    for garbage in (None, 482913, "", "12", "48291a", "4" * 13, "1" * 100, "48291３"):
        assert codes.normalize_code(garbage) is None


def test_keyed_hash_depends_on_secret_scope_and_code():
    reference = codes.keyed_hash(SECRET, "access-code:1", "482913")
    assert len(reference) == 64 and "482913" not in reference
    assert reference == codes.keyed_hash(SECRET, "access-code:1", "482913")
    assert reference != codes.keyed_hash("another-database", "access-code:1", "482913")
    assert reference != codes.keyed_hash(SECRET, "access-code:2", "482913")
    assert reference != codes.keyed_hash(SECRET, "access-code:1", "482914")
    # Scope and value cannot be traded for one another.
    assert codes.keyed_hash(SECRET, "access-code:1", "2482913") != codes.keyed_hash(SECRET, "access-code:12", "482913")
    with pytest.raises(ValueError):
        codes.keyed_hash("", "access-code:1", "482913")


def test_hashes_match_in_constant_time_and_never_on_empty():
    stored = codes.keyed_hash(SECRET, "api-key:1", "the-key")
    assert codes.hashes_match(stored, codes.keyed_hash(SECRET, "api-key:1", "the-key"))
    assert not codes.hashes_match(stored, codes.keyed_hash(SECRET, "api-key:1", "other-key"))
    assert not codes.hashes_match(stored, None)
    assert not codes.hashes_match(None, stored)
    assert not codes.hashes_match("", "")


def test_api_keys_are_long_and_unique():
    keys = {codes.generate_api_key() for _draw in range(100)}
    assert len(keys) == 100
    assert all(len(key) >= 43 for key in keys)


def test_masked_text_costs_what_the_sent_text_cost():
    for sent in ("Koden din til Badstue er 482913. Gyldig til 30.11.2026, 18:00.", "Kód: K7PQ2M9X 🔑"):
        code = "482913" if "482913" in sent else "K7PQ2M9X"
        masked = sent.replace(code, codes.mask(code))
        assert code not in masked
        assert (analyze(masked).encoding, analyze(masked).segments, analyze(masked).characters) == (
            analyze(sent).encoding,
            analyze(sent).segments,
            analyze(sent).characters,
        )


def test_split_around_a_single_marker():
    assert codes.split_around("Koden er MARK. Hei", "MARK") == ("Koden er ", ". Hei")
    assert codes.split_around("MARK", "MARK") == ("", "")
    assert codes.split_around("Ingen kode", "MARK") is None
    assert codes.split_around("MARK og MARK", "MARK") is None


def test_redact_between_masks_the_code_that_was_sent():
    assert codes.redact_between("Koden er 17294. Hei", "Koden er ", ". Hei") == "Koden er *****. Hei"
    # A message of another shape: the assumed length.
    assert codes.redact_between("", "Koden er ", ".") == "Koden er ******."
    assert codes.redact_between("Something else", "Koden er ", ".", default_length=4) == "Koden er ****."


NOW = datetime(2026, 11, 30, 12, 0)
POLICY = codes.LockoutPolicy(max_failures=3, window=timedelta(minutes=10), duration=timedelta(minutes=15))


def test_the_failure_that_reaches_the_limit_locks():
    assert POLICY.lock_until(NOW, earlier_failures=1) is None
    assert POLICY.lock_until(NOW, earlier_failures=2) == NOW + timedelta(minutes=15)


def test_counting_starts_afresh_after_a_lockout_or_when_lifted():
    window_start = NOW - timedelta(minutes=10)
    assert POLICY.counting_since(NOW) == window_start
    assert POLICY.counting_since(NOW, last_lock_at=NOW - timedelta(minutes=20)) == window_start
    assert POLICY.counting_since(NOW, last_lock_at=NOW - timedelta(minutes=2)) == NOW - timedelta(minutes=2)
    assert POLICY.counting_since(NOW, cleared_at=NOW - timedelta(minutes=1)) == NOW - timedelta(minutes=1)
    # Odoo passes False for an empty date.
    assert POLICY.counting_since(NOW, last_lock_at=False, cleared_at=False) == window_start


def test_a_policy_without_limit_or_duration_never_locks():
    for policy in (
        codes.LockoutPolicy(0, timedelta(minutes=10), timedelta(minutes=15)),
        codes.LockoutPolicy(3, timedelta(minutes=10), timedelta(0)),
    ):
        assert not policy.enabled
        assert policy.lock_until(NOW, earlier_failures=100) is None
