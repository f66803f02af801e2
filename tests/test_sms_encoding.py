"""The SMS encoder (intellipush_sms/tools/sms_encoding.py) against Twilio's
segment calculator, its reference: through the shared table of expected
values, which bench/make_encoding_cases.py writes from the calculator, and
live, running the calculator (node, ``npm ci --prefix bench``) here."""

import json
import random
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from intellipush_sms.tools import sms_encoding
from intellipush_sms.tools.sms_encoding import (
    GSM7,
    GSM7_BASIC_CHARACTERS,
    GSM7_EXTENSION_CHARACTERS,
    LOOKALIKES,
    UCS2,
    analyze,
    is_gsm7,
    replace_invisible_lookalikes,
    replace_lookalikes,
    split,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = REPO_ROOT / "bench"
CALCULATOR_SCRIPT = BENCH_DIR / "segments_calculator.js"
TABLE_PATH = REPO_ROOT / "intellipush_sms" / "tests" / "data" / "sms_encoding_cases.json"
TABLE = json.loads(TABLE_PATH.read_text(encoding="utf-8"))
PART_LIMITS = {GSM7: 153, UCS2: 67}

# (name, text, (encoding, segments, units, remaining)). Each text is also in
# the shared table, which holds the calculator's word on it.
NAMED_BOUNDARIES = [
    ("empty text: one GSM-7 SMS", "", (GSM7, 1, 0, 160)),
    ("153 GSM-7 characters: one SMS", "a" * 153, (GSM7, 1, 153, 7)),
    ("154 GSM-7 characters: one SMS", "a" * 154, (GSM7, 1, 154, 6)),
    ("160 GSM-7 characters fill one SMS", "a" * 160, (GSM7, 1, 160, 0)),
    ("161 GSM-7 characters: two segments of 153", "a" * 161, (GSM7, 2, 161, 145)),
    ("306 GSM-7 characters fill two segments", "a" * 306, (GSM7, 2, 306, 0)),
    ("307 GSM-7 characters: a third segment", "a" * 307, (GSM7, 3, 307, 152)),
    ("459 GSM-7 characters fill three segments", "a" * 459, (GSM7, 3, 459, 0)),
    ("460 GSM-7 characters: a fourth segment", "a" * 460, (GSM7, 4, 460, 152)),
    ("Norwegian letters are GSM-7", "Blåbærsyltetøy fra Ærø og Åsgårdstrand, ÆØÅ æøå", (GSM7, 1, 47, 113)),
    ("80 euro signs fill one SMS", "€" * 80, (GSM7, 1, 160, 0)),
    ("81 euro signs: two segments", "€" * 81, (GSM7, 2, 162, 143)),
    ("extension character ending the first segment", "a" * 151 + "[" + "a" * 20, (GSM7, 2, 173, 133)),
    ("extension character at septet 152 moves whole", "a" * 152 + "[" + "a" * 20, (GSM7, 2, 174, 131)),
    ("extension character at septet 153 opens segment 2", "a" * 153 + "[" + "a" * 20, (GSM7, 2, 175, 131)),
    ("euro sign at septet 158 ends one SMS", "a" * 158 + "€", (GSM7, 1, 160, 0)),
    ("euro sign at septet 159 spills over 160", "a" * 159 + "€", (GSM7, 2, 161, 145)),
    ("euro sign at septet 160", "a" * 160 + "€", (GSM7, 2, 162, 144)),
    ("extension character straddling septet 306", "a" * 305 + "]" + "a" * 20, (GSM7, 3, 327, 131)),
    ("form feed is an extension character", "a\fb", (GSM7, 1, 4, 156)),
    ("CR LF is two septets", "Linje 1\r\nLinje 2", (GSM7, 1, 16, 144)),
    ("tab forces UCS-2", "Kolonne\tverdi", (UCS2, 1, 13, 57)),
    ("capital C cedilla is GSM-7", "Ça va", (GSM7, 1, 5, 155)),
    ("small c cedilla forces UCS-2", "ça va", (UCS2, 1, 5, 65)),
    ("curly apostrophe forces UCS-2", "Kari’s ordre", (UCS2, 1, 12, 58)),
    ("curly double quotes force UCS-2", "“Velkommen” til oss", (UCS2, 1, 19, 51)),
    ("decomposed å (a + combining ring) forces UCS-2", "Bla\u030abær", (UCS2, 1, 7, 63)),
    ("70 UCS-2 characters fill one SMS", "Ж" * 70, (UCS2, 1, 70, 0)),
    ("71 UCS-2 characters: two segments of 67", "Ж" * 71, (UCS2, 2, 71, 63)),
    ("134 UCS-2 characters fill two segments", "Ж" * 134, (UCS2, 2, 134, 0)),
    ("135 UCS-2 characters: a third segment", "Ж" * 135, (UCS2, 3, 135, 66)),
    ("emoji ending at unit 66", "Ж" * 64 + "😀", (UCS2, 1, 66, 4)),
    ("emoji ending at unit 67", "Ж" * 65 + "😀", (UCS2, 1, 67, 3)),
    ("emoji ending at unit 69", "Ж" * 67 + "😀", (UCS2, 1, 69, 1)),
    ("emoji ending at unit 70 fills one SMS", "Ж" * 68 + "😀", (UCS2, 1, 70, 0)),
    ("emoji ending at unit 71: two segments", "Ж" * 69 + "😀", (UCS2, 2, 71, 63)),
    ("surrogate pair ending at unit 67 stays", "Ж" * 65 + "😀" + "Ж" * 10, (UCS2, 2, 77, 57)),
    ("surrogate pair straddling unit 67 moves whole", "Ж" * 66 + "😀" + "Ж" * 10, (UCS2, 2, 78, 55)),
    ("skin-tone emoji straddling unit 67 moves whole", "Ж" * 65 + "👍🏽" + "Ж" * 10, (UCS2, 2, 79, 53)),
    ("flag straddling unit 67 moves whole", "Ж" * 65 + "🇳🇴" + "Ж" * 10, (UCS2, 2, 79, 53)),
    ("ZWJ family straddling unit 67 moves whole", "Ж" * 63 + "👨‍👩‍👧" + "Ж" * 10, (UCS2, 2, 81, 49)),
    ("surrogate pair straddling unit 134", "Ж" * 133 + "😀" + "Ж" * 10, (UCS2, 3, 145, 55)),
    # The calculator's quirk (see the module docstring): a cluster wider than
    # a segment overflows it, here after an empty first segment.
    ("cluster wider than a segment", "a" + "\u0301" * 80, (UCS2, 2, 81, -14)),
]


def _units(text, encoding):
    if encoding == GSM7:
        return len(text) + sum(char in GSM7_EXTENSION_CHARACTERS for char in text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _case_id(case):
    return f"{case['encoding']}-{case['units']}u-{case['segments']}s-{case['text'][:12]!r}"


@pytest.mark.parametrize("case", TABLE, ids=_case_id)
def test_shared_table(case):
    text = case["text"]
    result = analyze(text)
    assert (result.encoding, result.segments, result.units, result.remaining) == (
        case["encoding"],
        case["segments"],
        case["units"],
        case["remaining"],
    )
    assert result.characters == len(text)
    assert bool(result.unicode_characters) == (result.encoding == UCS2)


@pytest.mark.parametrize("case", TABLE, ids=_case_id)
def test_split_keeps_text_and_limits(case):
    text, encoding = case["text"], case["encoding"]
    segments = split(text)
    assert "".join(segments) == text
    assert len(segments) == case["segments"]
    clusters = sms_encoding._grapheme_clusters(text)  # as the calculator cuts them
    if len(segments) > 1 and all(_units(cluster, encoding) <= PART_LIMITS[encoding] for cluster in clusters):
        assert all(_units(segment, encoding) <= PART_LIMITS[encoding] for segment in segments)
    # No grapheme cluster (so no surrogate pair, no emoji sequence) is cut:
    # every segment starts where a cluster starts.
    cluster_starts = {0}
    offset = 0
    for cluster in clusters:
        offset += len(cluster)
        cluster_starts.add(offset)
    segment_start = 0
    for segment in segments:
        assert segment_start in cluster_starts
        segment_start += len(segment)


@pytest.mark.parametrize(("name", "text", "expected"), NAMED_BOUNDARIES, ids=[name for name, *_ in NAMED_BOUNDARIES])
def test_named_boundary(name, text, expected):
    result = analyze(text)
    assert (result.encoding, result.segments, result.units, result.remaining) == expected, name


def test_named_boundaries_are_confirmed_by_the_shared_table():
    table = {case["text"]: (case["encoding"], case["segments"], case["units"], case["remaining"]) for case in TABLE}
    for name, text, expected in NAMED_BOUNDARIES:
        assert table.get(text) == expected, f"{name}: not in the table, or the calculator disagrees"


def test_split_moves_a_straddling_extension_character_whole():
    assert split("a" * 152 + "€" + "a" * 10) == ["a" * 152, "€" + "a" * 10]


def test_split_moves_a_straddling_emoji_whole():
    assert split("Ж" * 66 + "😀" + "Ж" * 10) == ["Ж" * 66, "😀" + "Ж" * 10]
    assert split("Ж" * 65 + "👍🏽" + "Ж" * 10) == ["Ж" * 65, "👍🏽" + "Ж" * 10]


def test_split_of_short_and_empty_texts():
    assert split("") == [""]
    assert split("Hei!") == ["Hei!"]


def test_names_the_characters_that_force_ucs2():
    assert analyze("Kari’s «tilbud» 😀 ’").unicode_characters == ("’", "«", "»", "😀")
    assert analyze("Helt vanlig tekst med € og æøå").unicode_characters == ()


def test_counts_characters_as_code_points():
    assert analyze("Hei 😀").characters == 5
    assert analyze("€[]").characters == 3


def test_is_gsm7():
    assert is_gsm7("")
    assert is_gsm7("Blåbær, Ærø, 100 € {}[]~^|\\\f\r\n")
    assert not is_gsm7("ça")
    assert not is_gsm7("Kari’s")
    assert not is_gsm7("😀")


def test_replace_lookalikes_turns_curly_quoted_text_into_gsm7():
    text = "„Tilbud“ – Kari’s «beste» pris… 100\u00a0kr"
    assert analyze(text).encoding == UCS2
    replaced = replace_lookalikes(text)
    assert replaced == '"Tilbud" - Kari\'s "beste" pris... 100 kr'
    assert analyze(replaced).encoding == GSM7


def test_lookalikes_map_non_gsm7_characters_to_gsm7_and_leave_norwegian_alone():
    assert all(len(char) == 1 and not is_gsm7(char) for char in LOOKALIKES)
    assert all(set(stand_in) <= GSM7_BASIC_CHARACTERS for stand_in in LOOKALIKES.values())
    norwegian = "Blåbærsyltetøy på Ærø og i Østfold, Åsgårdstrand"
    assert replace_lookalikes(norwegian) == norwegian


# ---------------------------------------------------------------------------
# Live: Twilio's calculator itself, run with node.
# ---------------------------------------------------------------------------


def run_calculator(mode, texts=None):
    """Output of ``node bench/segments_calculator.js MODE``; fails (never
    skips) when node or the npm package is missing."""
    if shutil.which("node") is None:
        pytest.fail("node is not installed: the live comparison with Twilio's segment calculator needs it")
    if not (BENCH_DIR / "node_modules" / "sms-segments-calculator").is_dir():
        pytest.fail("sms-segments-calculator is not installed: run `npm ci --prefix bench` (scripts/test does)")
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8") as texts_file:
        arguments = []
        if texts is not None:
            json.dump(texts, texts_file)
            texts_file.flush()
            arguments.append(texts_file.name)
        completed = subprocess.run(
            ["node", str(CALCULATOR_SCRIPT), mode, *arguments],
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=False,
        )
    if completed.returncode != 0:
        pytest.fail(f"node {CALCULATOR_SCRIPT.name} {mode} failed:\n{completed.stderr}")
    return json.loads(completed.stdout)


def _disagreements(texts):
    """Texts on which analyze() or split() differ from the live calculator."""
    disagreements = []
    for text, reference in zip(texts, run_calculator("analyze", texts), strict=True):
        ours = analyze(text)
        theirs = (reference["encoding"], reference["segments"], reference["units"], reference["remaining"])
        if ours[:4] != theirs or split(text) != reference["parts"]:
            disagreements.append((text, ours[:4], theirs, reference["parts"]))
    return disagreements


def _awkward_texts(count, seed=20251125):
    """Seeded random texts over everything that can move a segment boundary:
    extension characters, CR LF, astral characters, combining marks, ZWJ,
    variation selectors, emoji modifiers, regional indicators, Hangul jamo,
    prepend and spacing marks, lone surrogates, controls."""
    awkward = [
        "a",
        "Ж",
        " ",
        "€",
        "[",
        "\f",
        "\r",
        "\n",
        "\r\n",
        "\t",
        "\x00",
        "\x1b",
        "ç",
        "Ç",
        "\u0301",
        "\u200d",
        "\ufe0f",
        "\u0903",
        "\u0600",
        "🇳",
        "🇴",
        "👍",
        "🏽",
        "❤",
        "👨",
        "😀",
        "🏴",
        "\U000e0067",
        "\U000e007f",
        "\u1100",
        "\u1161",
        "\u11a8",
        "가",
        "각",
        "\ud800",
        "\udfff",
    ]
    gsm7_only = ["a", "b", " ", "€", "[", "\\", "\f", "\r", "\n", "\r\n", "Ø", "é"]
    rng = random.Random(seed)
    texts = []
    while len(texts) < count:
        alphabet = rng.choice([awkward, gsm7_only])
        weights = [rng.random() ** 3 for _ in alphabet]
        length = rng.choice([rng.randint(0, 400), rng.randint(60, 80), rng.randint(130, 170)])
        text = "".join(rng.choices(alphabet, weights, k=length))
        # A high surrogate followed by a low one would reach node as one
        # astral character, not as the two lone surrogates Python has.
        if not re.search("[\ud800-\udbff][\udc00-\udfff]", text):
            texts.append(text)
    return texts


def test_live_calculator_confirms_the_shared_table():
    references = run_calculator("analyze", [case["text"] for case in TABLE])
    stale = [
        case["text"]
        for case, reference in zip(TABLE, references, strict=True)
        if [case[key] for key in ("encoding", "segments", "units", "remaining")]
        != [reference[key] for key in ("encoding", "segments", "units", "remaining")]
    ]
    assert not stale, f"{len(stale)} table entries differ from the calculator: run bench/make_encoding_cases.py"
    disagreements = _disagreements([case["text"] for case in TABLE])
    assert not disagreements, disagreements[:3]


def test_live_calculator_agrees_on_awkward_texts():
    disagreements = _disagreements(_awkward_texts(2000))
    assert not disagreements, disagreements[:3]


def test_live_gsm7_alphabet_matches_the_calculator():
    alphabet = run_calculator("gsm-alphabet")
    assert set(alphabet["basic"]) == GSM7_BASIC_CHARACTERS
    assert set(alphabet["extension"]) == GSM7_EXTENSION_CHARACTERS


def test_live_grapheme_classes_match_grapheme_splitter():
    """Our copy of grapheme-splitter's class table, code point by code point."""
    grapheme_break_property = sms_encoding._grapheme_break_property.__wrapped__  # uncached: 1.1 million calls
    runs = []
    for code_point in range(0x110000):
        grapheme_class = grapheme_break_property(chr(code_point))
        if not runs or runs[-1][1] != grapheme_class:
            runs.append([code_point, grapheme_class])
    assert runs == run_calculator("grapheme-classes")


def test_invisible_lookalikes_are_replaced_but_visible_ones_kept():
    formatted = "Totalt kr\u00a01\u202f250,00\u00ad \u201cTilbud\u201d\tnå"
    cleaned = replace_invisible_lookalikes(formatted)
    assert cleaned == "Totalt kr 1 250,00 \u201cTilbud\u201d\tnå"
    amount = formatted.partition("\u201c")[0]
    cleaned_amount = cleaned.partition("\u201c")[0]
    assert analyze(amount).encoding == "UCS-2"
    assert analyze(cleaned_amount).encoding == "GSM-7"
