import pytest

from intellipush_sms.tools.sms_keywords import CONFIRM, OPT_IN, OPT_OUT, classify, first_phrase, phrases, words

RULES = {"code_word": "BUTIKK", "stop_words": "STOPP, STOP, AVMELD", "join_words": "START, JA, BLI MED"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("BUTIKK STOPP", OPT_OUT),
        ("butikk stopp", OPT_OUT),
        ("  Butikk,   Stopp! ", OPT_OUT),
        ("BUTIKK STOP", OPT_OUT),
        ("Butikk avmeld.", OPT_OUT),
        ("STOPP", OPT_OUT),  # opt-outs are honoured without the code word
        ("stopp butikk", OPT_OUT),
        ("BUTIKK START", OPT_IN),
        ("butikk bli  med", OPT_IN),
        ("Butikk ja", OPT_IN),
        ("BUTIKK", OPT_IN),  # the code word alone joins, as the first time
        ("START", None),  # opting in needs the code word
        ("JA", None),
        ("BUTIKK STOPP NÅ ELLER ALDRI", OPT_OUT),
        ("Stopp å sende meg reklame", OPT_OUT),
        ("Stoppet dere pakken min?", None),
        ("Kan jeg stoppe abonnementet?", None),
        ("Hei, når åpner dere?", None),
        ("", None),
        ("!!!", None),
    ],
)
def test_classify_with_code_word(text, expected):
    assert classify(text, **RULES) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Stopp", OPT_OUT),
        ("avmeld", OPT_OUT),
        ("Bli med!", OPT_IN),
        ("ja", OPT_IN),
        ("BUTIKK STOPP", None),
        ("Takk for sist", None),
        ("Ja takk, det passer", None),
    ],
)
def test_classify_without_code_word(text, expected):
    assert classify(text, stop_words=RULES["stop_words"], join_words=RULES["join_words"]) == expected


def test_multi_word_code_word():
    rules = {**RULES, "code_word": "Sport Og Fritid"}
    assert classify("sport og fritid stopp", **rules) == OPT_OUT
    assert classify("SPORT OG FRITID BLI MED", **rules) == OPT_IN
    assert classify("sport stopp", **rules) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Butikk ja", CONFIRM),  # a join word too: the caller decides, knowing whether a request waits
        ("BUTIKK BEKREFT!", CONFIRM),
        ("BUTIKK START", OPT_IN),
        ("BUTIKK", OPT_IN),
        ("JA", None),  # the code word is needed, as for joining
        ("BUTIKK JA STOPP", None),
        ("Butikk stopp", OPT_OUT),
    ],
)
def test_classify_confirmation_words(text, expected):
    assert classify(text, **RULES, confirm_words="JA, BEKREFT") == expected


def test_confirmation_words_without_code_word():
    rules = {"stop_words": RULES["stop_words"], "join_words": RULES["join_words"], "confirm_words": "JA"}
    assert classify("Ja!", **rules) == CONFIRM
    assert classify("START", **rules) == OPT_IN
    assert classify("Ja takk, det passer", **rules) is None


def test_first_phrase():
    assert first_phrase(" ja , bekreft") == "JA"
    assert first_phrase(",, bli_med, start") == "BLI MED"
    assert first_phrase("") == ""
    assert first_phrase(None) == ""


def test_words_and_phrases_normalisation():
    assert words(" Bli_med, NÅ! ") == ("BLI", "MED", "NÅ")
    assert words("ＳＴＯＰＰ") == ("STOPP",)  # full-width letters from some phone keyboards
    assert phrases("STOPP, stop ,, Bli med") == {("STOPP",), ("STOP",), ("BLI", "MED")}
    assert phrases("") == set()
    assert phrases(None) == set()
