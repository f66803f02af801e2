"""Keyword rules for SMS received on a business's number.

Recipients answer a short number shared by many businesses, so a message
starts with the business's code word: "BUTIKK STOPP" opts out, "BUTIKK START"
(or the code word alone, as when joining the customer club the first time)
opts back in. People type these by hand, so matching ignores case,
punctuation and extra spaces.

Opting out is honoured generously: a bare "STOPP", "Stopp butikk" or "Stopp
å sende meg reklame" counts too, because ignoring an opt-out breaks the law while honouring a stray one
costs nothing. Opting in is an active step and needs the code word when the
business has one.

With double opt-in the business answers a join with a confirmation request,
and "BUTIKK JA" confirms it: the confirmation words are matched like the join
words, after the code word. They may be join words too (JA is both by
default); what the words mean then depends on whether a request waits, which
the caller knows, not this module.
"""

import re
import unicodedata

OPT_OUT = "opt_out"
OPT_IN = "opt_in"
CONFIRM = "confirm"

_NOT_A_WORD = re.compile(r"[^\w]+")


def words(text):
    """Upper-case words of ``text``, punctuation and spacing ignored."""
    normalized = unicodedata.normalize("NFKC", text or "").upper().replace("_", " ")
    return tuple(word for word in _NOT_A_WORD.split(normalized) if word)


def phrases(comma_separated):
    """``"STOPP, stop ,Bli med"`` → ``{("STOPP",), ("STOP",), ("BLI", "MED")}``."""
    return set(_phrase_list(comma_separated))


def first_phrase(comma_separated):
    """``"ja, bekreft"`` → ``"JA"``: the word customers are told to write."""
    listed = _phrase_list(comma_separated)
    return " ".join(listed[0]) if listed else ""


def _phrase_list(comma_separated):
    return [phrase for phrase in (words(part) for part in (comma_separated or "").split(",")) if phrase]


def classify(text, code_word="", stop_words="", join_words="", confirm_words=""):
    """``OPT_OUT``, ``CONFIRM``, ``OPT_IN`` or ``None`` (an ordinary message).

    An opt-out wins over everything; a confirmation word wins over the same
    word as a join word (the caller falls back to :func:`classify` without
    ``confirm_words`` when no confirmation was awaited)."""
    message = words(text)
    if not message:
        return None
    code = words(code_word)
    stops = phrases(stop_words)
    joins = phrases(join_words)
    confirms = phrases(confirm_words)
    after_code = message[len(code) :] if code and message[: len(code)] == code else None

    for stop in stops:
        if _starts_with(message, stop) or (after_code and _starts_with(after_code, stop)):
            return OPT_OUT
        if code and message == stop + code:
            return OPT_OUT
    if code:
        if after_code is not None and after_code in confirms:
            return CONFIRM
        if after_code is not None and (after_code in joins or not after_code):
            return OPT_IN
        return None
    if message in confirms:
        return CONFIRM
    return OPT_IN if message in joins else None


def _starts_with(message, phrase):
    return message[: len(phrase)] == phrase
