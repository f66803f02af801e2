"""Text from outside as PostgreSQL can store it."""

from intellipush_sms.tools.storable_text import is_storable, storable


def test_text_postgresql_cannot_store_is_told_apart():
    for text in ("482913", "+47 412 34 567", "Kód 🔑", ""):
        assert is_storable(text)
    for text in ("482\x00913", "+47\ud83412", "\udfff", None, 482913):
        assert not is_storable(text)


def test_what_cannot_be_stored_is_dropped_and_the_rest_kept():
    assert storable("butikk\x00 stopp") == "butikk stopp"
    assert storable("Hei \ud800på deg") == "Hei på deg"
    assert storable("Kód 🔑") == "Kód 🔑"
    assert storable(None) == ""
