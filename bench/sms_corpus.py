"""Texts for testing and measuring the SMS encoder: named boundary cases and
a seeded, realistic mix (Norwegian shop messages, extension characters,
emoji, lengths around the segment boundaries)."""

import random

WORDS = (
    "Hei ordren din er klar til henting i butikken vår på Torget takk for handelen "
    "faktura forfaller om tre dager beløp kr å betale kundenummer pakken er sendt "
    "med Posten sporingsnummer velkommen til kundeklubben svar STOPP for å melde deg av "
    "tilbud rabatt gjelder til søndag åpningstider man fre lør Ærlig Østlandet Ålesund"
).split()
EXTENSION = list("^{}\\[~]|€")
EMOJI = ["😀", "🎉", "👍🏽", "🇳🇴", "❤️", "👨‍👩‍👧", "✨", "🛒"]
UCS2_ONLY = ["ç", "’", "“", "”", "–", "é\u0301", "\t", "ş", "Ω", "Ж"]


def boundary_cases():
    """(name, text) pairs at every boundary the encoder must get right."""
    cases = [
        ("empty", ""),
        ("one char", "a"),
        ("gsm 160", "a" * 160),
        ("gsm 161", "a" * 161),
        ("gsm 306", "a" * 306),
        ("gsm 307", "a" * 307),
        ("gsm 459", "a" * 459),
        ("gsm 460", "a" * 460),
        ("norwegian letters 160", ("Blåbærsyltetøy på Ærø " * 10)[:160]),
        ("extension 80 x 2 septets", "€" * 80),
        ("extension 81 x 2 septets", "€" * 81),
        ("extension at 159 of 160", "a" * 158 + "€"),
        ("extension at 160", "a" * 159 + "€"),
        ("extension straddling 153", "a" * 152 + "€" + "a" * 10),
        ("extension right after 153", "a" * 153 + "€" + "a" * 10),
        ("extension at 306 boundary", "a" * 305 + "[" + "a" * 10),
        ("form feed", "a\fb"),
        ("crlf", "Linje 1\r\nLinje 2"),
        ("lf only", "Linje 1\nLinje 2"),
        ("tab forces ucs2", "a\tb"),
        ("c cedilla lower forces ucs2", "ça va"),
        ("c cedilla upper is gsm", "Ça va"),
        ("curly quote forces ucs2", "Kari’s ordre"),
        ("backtick forces ucs2", "a`b"),
        ("ucs2 70", "Ж" * 70),
        ("ucs2 71", "Ж" * 71),
        ("ucs2 134", "Ж" * 134),
        ("ucs2 135", "Ж" * 135),
        ("emoji at 66 units", "Ж" * 64 + "😀"),
        ("emoji at 67 units", "Ж" * 65 + "😀"),
        ("emoji at 69 units", "Ж" * 67 + "😀"),
        ("emoji at 70 units", "Ж" * 68 + "😀"),
        ("emoji at 71 units", "Ж" * 69 + "😀"),
        ("emoji straddling 67", "Ж" * 66 + "😀" + "Ж" * 10),
        ("emoji straddling 134", "Ж" * 133 + "😀" + "Ж" * 10),
        ("skin tone emoji straddling 67", "Ж" * 65 + "👍🏽" + "Ж" * 10),
        ("flag straddling 67", "Ж" * 65 + "🇳🇴" + "Ж" * 10),
        ("zwj family straddling 67", "Ж" * 63 + "👨‍👩‍👧" + "Ж" * 10),
        ("combining accent", "e\u0301"),
        ("gsm text with one emoji", "Hei Kari! Ordren din er klar 🎉"),
        ("euro price", "Pris: 100 €"),
        ("greek capitals", "ΔΦΓΛΩΠΨΣΘΞ"),
        ("only spaces", " " * 200),
    ]
    return cases


def mixed_messages(count, seed=20261125):
    """``count`` realistic texts, deterministic for a given seed."""
    rng = random.Random(seed)
    messages = []
    for _index in range(count):
        target = rng.choice([30, 70, 140, 150, 153, 159, 160, 161, 200, 306, 307, 320, 459, 480])
        words = []
        while sum(len(word) + 1 for word in words) < target:
            roll = rng.random()
            if roll < 0.04:
                words.append(rng.choice(EXTENSION))
            elif roll < 0.06:
                words.append(rng.choice(EMOJI))
            elif roll < 0.07:
                words.append(rng.choice(UCS2_ONLY))
            else:
                words.append(rng.choice(WORDS))
        text = " ".join(words)
        # Land exactly on the boundary about half the time.
        if rng.random() < 0.5:
            text = text[:target]
        messages.append(text)
    return messages
