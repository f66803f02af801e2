#!/usr/bin/env python3
"""Write intellipush_sms/tests/data/sms_encoding_cases.json, the table of SMS
texts the encoder (and later the composer widget) is tested against.

Each entry is {"text", "encoding", "segments", "units", "remaining"}. The
expected values come from Twilio's segment calculator itself (node and
bench/node_modules: ``npm ci --prefix bench``), never from our encoder, so the
table pins the reference rather than our reading of it. Deterministic: run it
again and the file does not change.

    python3 bench/make_encoding_cases.py
"""

import json
import random
import subprocess
import tempfile
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
CALCULATOR_SCRIPT = BENCH_DIR / "segments_calculator.js"
TABLE_PATH = BENCH_DIR.parent / "intellipush_sms" / "tests" / "data" / "sms_encoding_cases.json"
TABLE_KEYS = ("text", "encoding", "segments", "units", "remaining")
MIXED_CASES = 300
SEED = 20251125  # any fixed number: the table must not change between runs

NORWEGIAN_PHRASES = [
    "Hei Kari,",
    "ordren din er klar til henting",
    "i butikken vår på Torget.",
    "Takk for handelen!",
    "Faktura 1234 på kr 499,50 forfaller om tre dager.",
    "Pakken er sendt med Posten, sporingsnummer 70701234567.",
    "Velkommen til kundeklubben!",
    "Svar STOPP for å melde deg av.",
    "Rabatten gjelder til søndag kl. 14:30.",
    "Blåbærsyltetøy og smørbrød fra Ærø, Østlandet og Ålesund:",
    "50% på alt @butikken #1234",
]

EXTENSION_PIECES = ["€", "[", "]", "{", "}", "^", "~", "|", "\\", "\f", "100 €", "[VIP]", "{kode}"]
GSM7_SPECIALS = ["\r\n", "\n", "Ç", "Δ", "¿", "§", "!"]
EMOJI = ["😀", "🎉", "👍", "👍🏽", "🇳🇴", "❤️", "✨", "🛒", "👨‍👩‍👧", "1️⃣", "🏳️‍🌈"]
UCS2_PIECES = ["’", "“sitat”", "–", "…", "ç", "\t", "a\u030a", "Ж", "ş", "\u00a0"]
# Texts are cut to these lengths (in characters) about half the time: the
# segment boundaries of both encodings and a little either side.
TARGET_LENGTHS = [
    66,
    67,
    68,
    69,
    70,
    71,
    72,
    133,
    134,
    135,
    152,
    153,
    154,
    159,
    160,
    161,
    162,
    200,
    268,
    305,
    306,
    307,
    400,
    458,
    459,
    460,
]


def boundary_texts():
    """The texts at the boundaries the rules are about (tests/test_sms_encoding.py
    names them and checks that each is in the table)."""
    texts = [
        "",
        "a" * 153,
        "a" * 154,
        "a" * 160,
        "a" * 161,
        "a" * 306,
        "a" * 307,
        "a" * 459,
        "a" * 460,
        " " * 200,
        "Blåbærsyltetøy fra Ærø og Åsgårdstrand, ÆØÅ æøå",
        ("Blåbærsyltetøy på Ærø " * 8)[:160],
        ("Blåbærsyltetøy på Ærø " * 8)[:161],
        "€" * 80,
        "€" * 81,
        "Pris: 100 €",
        "a\fb",
        "Linje 1\r\nLinje 2",
        "Linje 1\nLinje 2",
        "Linje\r\n" * 23,
        "Kolonne\tverdi",
        "Ça va",
        "ça va",
        "Kari’s ordre",
        "“Velkommen” til oss",
        "a`b",
        "Bla\u030abær",
        "ΔΦΓΛΩΠΨΣΘΞ",
        "Hei Kari! Ordren din er klar 🎉",
        "Ж" * 70,
        "Ж" * 71,
        "Ж" * 134,
        "Ж" * 135,
        "a" * 300 + "😀",
        "a" + "\u0301" * 80,
        "Ж" * 10 + "a" + "\u0301" * 70 + "Ж" * 5,
    ]
    # An extension character starting at septet 151, 152, 153, 158, 159, 160.
    for septets_before in (151, 152, 153, 158, 159, 160):
        texts.append("a" * septets_before + "€")
        texts.append("a" * septets_before + "[" + "a" * 20)
    texts.append("a" * 305 + "]" + "a" * 20)  # straddles the second boundary
    # An emoji making the text 66, 67, 69, 70 or 71 units long.
    for units in (66, 67, 69, 70, 71):
        texts.append("Ж" * (units - 2) + "😀")
    # Clusters around the 67-unit boundary: straddling it and just inside.
    for cluster in ("😀", "👍🏽", "🇳🇴", "👨‍👩‍👧", "a\u030a"):
        for units_before in (63, 65, 66, 67):
            texts.append("Ж" * units_before + cluster + "Ж" * 10)
    texts.append("Ж" * 133 + "😀" + "Ж" * 10)  # straddles the second boundary
    return texts


def mixed_texts(count, seed=SEED):
    """``count`` seeded random mixes of Norwegian phrases, GSM-7 specials,
    extension characters, emoji and other Unicode, around the boundaries."""
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        target = rng.choice(TARGET_LENGTHS)
        # Per text, how likely each kind of piece is: plain texts, texts
        # with extension characters and Unicode texts all occur.
        extension_share, emoji_share, unicode_share = rng.choice(
            [(0, 0, 0), (0.08, 0, 0), (0, 0.05, 0), (0, 0, 0.05), (0.05, 0.03, 0.03)]
        )
        pieces = []
        while sum(map(len, pieces)) < target:
            roll = rng.random()
            if roll < extension_share:
                pieces.append(rng.choice(EXTENSION_PIECES))
            elif roll < extension_share + emoji_share:
                pieces.append(rng.choice(EMOJI))
            elif roll < extension_share + emoji_share + unicode_share:
                pieces.append(rng.choice(UCS2_PIECES))
            elif roll < extension_share + emoji_share + unicode_share + 0.03:
                pieces.append(rng.choice(GSM7_SPECIALS))
            else:
                pieces.append(rng.choice(NORWEGIAN_PHRASES) + " ")
        text = "".join(pieces)
        texts.append(text[:target] if rng.random() < 0.5 else text)
    return texts


def run_calculator(texts):
    """The calculator's {encoding, segments, units, remaining, parts} for each text."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8") as texts_file:
        json.dump(texts, texts_file)
        texts_file.flush()
        completed = subprocess.run(
            ["node", str(CALCULATOR_SCRIPT), "analyze", texts_file.name],
            cwd=BENCH_DIR,
            check=True,
            capture_output=True,
            text=True,
            encoding="utf-8",
        )
    return json.loads(completed.stdout)


def main():
    texts = boundary_texts() + mixed_texts(MIXED_CASES)
    cases = [
        {"text": text, **{key: result[key] for key in TABLE_KEYS[1:]}}
        for text, result in zip(texts, run_calculator(texts), strict=True)
    ]
    # One case per line: readable diffs, and plain JSON for the JavaScript tests.
    lines = ",\n".join(json.dumps(case, ensure_ascii=False) for case in cases)
    TABLE_PATH.parent.mkdir(parents=True, exist_ok=True)
    TABLE_PATH.write_text(f"[\n{lines}\n]\n", encoding="utf-8")
    print(f"wrote {len(cases)} cases to {TABLE_PATH.relative_to(BENCH_DIR.parent)}")


if __name__ == "__main__":
    main()
