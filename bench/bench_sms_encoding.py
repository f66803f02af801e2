#!/usr/bin/env python3
"""Messages per second of our SMS encoder against Twilio's segment
calculator (node), on the same realistic corpus in the same run, and whether
both agree on every message. The encoder runs for every recipient of a
campaign; the target is at least 100 times the calculator's rate.

    python3 bench/bench_sms_encoding.py [--messages 20000] [--rounds 5]

Needs node and ``npm ci --prefix bench``.
"""

import argparse
import importlib
import json
import random
import subprocess
import sys
import tempfile
import time
import types
from collections import Counter
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
# Import the Odoo-free encoder without running the addon's __init__ (which
# imports Odoo), as tests/conftest.py does.
if "intellipush_sms" not in sys.modules:
    _addon = types.ModuleType("intellipush_sms")
    _addon.__path__ = [str(REPO_ROOT / "intellipush_sms")]
    sys.modules["intellipush_sms"] = _addon
analyze = importlib.import_module("intellipush_sms.tools.sms_encoding").analyze

SEED = 20251125
NAMES = ["Kari", "Ola", "Ingrid", "Lars", "Sofie", "Magnus", "Åse", "Bjørn", "Ærlend", "Øystein", "Nora", "Jonas"]
SHOPS = ["Butikken på Torget", "Sport & Fritid", "Blomster-Ørnulf", "Bakeriet Æ", "Elkjøp Tromsø", "Apoteket"]
PLACES = ["Torget", "Storgata 12", "Ålesund sentrum", "Lørenskog Storsenter", "Bryggen"]
EMOJI = ["🎉", "😀", "👍", "❤️", "✨", "🛒", "🎁", "☀️", "👍🏽", "🇳🇴", "👨‍👩‍👧"]
TEMPLATES = [
    # Order and pickup notices: GSM-7, one SMS, sometimes two.
    "Hei {name}! Ordren din {order} er klar til henting hos {shop}, {place}. Åpent 10-20. Mvh {shop}",
    "Hei {name}, pakken din med sporingsnummer {tracking} er sendt med Posten og kommer om 1-3 dager.",
    (
        "{name}, ordren {order} er mottatt. Vi sender en ny melding når den er klar. Takk for handelen! "
        "Spørsmål? Ring oss på 22 33 44 55 eller svar på denne meldingen."
    ),
    # Reminders and invoices with extension characters.
    "Påminnelse: Faktura {order} på {amount} € forfaller {date}. Betal til konto 1234.56.78901 [KID {tracking}].",
    (
        "Hei {name}! Husk timen din hos {shop} {date} kl. 14:30. Avbestilling senest 24 t før ~ ellers belastes "
        "{amount} kr. Svar JA for å bekrefte | NEI for å avbestille."
    ),
    # Campaigns with emoji: UCS-2.
    "{emoji} Black Week hos {shop}! -30 % på alt til søndag. Bruk koden {code} i kassa. Svar STOPP for å melde deg av.",
    (
        "Hei {name} {emoji} Som medlem av kundeklubben får du {amount} kr i bonus denne uken! Gjelder i alle "
        "butikker og på nett til og med {date}. Vi sees! {emoji}"
    ),
    # Pasted from a word processor: curly quotes, dashes, ellipsis.
    "Hei {name}! «Sommersalg» hos {shop} – opptil 50 % på utvalgte varer… Gjelder “så langt lageret rekker”.",
]


def realistic_messages(count, seed=SEED):
    """``count`` Norwegian shop messages from the templates, with random
    fields, a third of them cut or padded to a segment boundary (GSM-7 159,
    160, 161, 305-307; UCS-2 69-71, 133-135 units)."""
    rng = random.Random(seed)
    messages = []
    for _ in range(count):
        text = rng.choice(TEMPLATES).format(
            name=rng.choice(NAMES),
            shop=rng.choice(SHOPS),
            place=rng.choice(PLACES),
            order=f"#{rng.randint(10000, 99999)}",
            tracking=rng.randint(10**9, 10**10 - 1),
            amount=rng.choice(["49", "199,50", "1 250", "12 999"]),
            date=f"{rng.randint(1, 28)}.{rng.randint(1, 12)}.",
            code=rng.choice(["VINTER25", "VIP", "HEIHEI"]),
            emoji=rng.choice(EMOJI),
        )
        if rng.random() < 1 / 3:
            target = rng.choice(
                [69, 70, 71, 133, 134, 135] if analyze(text).encoding == "UCS-2" else [159, 160, 161, 305, 306, 307]
            )
            text = (text + " " + text + " " + text)[:target]
        messages.append(text)
    return messages


def python_rate(texts, rounds):
    """Messages per second of analyze() over ``texts``, best of ``rounds``."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for text in texts:
            analyze(text)
        best = min(best, time.perf_counter() - start)
    return len(texts) / best


def run_node_calculator(texts):
    """(messages per second, [[encoding, segments, units, remaining], ...]) of
    Twilio's calculator, timed inside node."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8") as corpus_file:
        json.dump(texts, corpus_file)
        corpus_file.flush()
        completed = subprocess.run(
            ["node", str(BENCH_DIR / "segments_calculator_bench.js"), corpus_file.name],
            cwd=BENCH_DIR,
            check=True,
            capture_output=True,
            text=True,
            encoding="utf-8",
        )
    output = json.loads(completed.stdout)
    return len(texts) / output["seconds"], output["results"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=5, help="Python timing rounds (the best one counts)")
    args = parser.parse_args()

    texts = realistic_messages(args.messages)
    ours = [tuple(analyze(text)[:4]) for text in texts]
    kinds = Counter((encoding, segments) for encoding, segments, _units, _remaining in ours)
    print(f"corpus: {len(texts)} messages, {sum(map(len, texts)) / len(texts):.0f} characters on average")
    for (encoding, segments), count in sorted(kinds.items()):
        print(f"  {encoding} in {segments} segment(s): {count}")

    python_per_second = python_rate(texts, args.rounds)
    node_per_second, references = run_node_calculator(texts)
    mismatches = sum(mine != tuple(theirs) for mine, theirs in zip(ours, references, strict=True))

    print(f"intellipush_sms.tools.sms_encoding.analyze (Python): {python_per_second:>12,.0f} messages/s")
    print(f"sms-segments-calculator (node):                     {node_per_second:>12,.0f} messages/s")
    print(f"ratio: {python_per_second / node_per_second:,.0f}x (target: at least 100x)")
    print(f"mismatches: {mismatches} of {len(texts)}")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
