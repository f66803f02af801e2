"""Text from outside (an inbound SMS, a door's request) as PostgreSQL can store it.

JSON carries NUL characters and lone surrogates; PostgreSQL refuses the first
and UTF-8 cannot encode the second, so one such message would fail every
insert of its batch. Plain Python: no Odoo import.
"""


def is_storable(value):
    """Whether ``value`` is a string PostgreSQL can store as it is."""
    if not isinstance(value, str) or "\x00" in value:
        return False
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def storable(text):
    """``text`` without what PostgreSQL cannot store (NUL, lone surrogates)."""
    text = (text or "").replace("\x00", "")
    return text if is_storable(text) else text.encode("utf-8", "ignore").decode()
