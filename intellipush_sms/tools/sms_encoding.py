"""GSM-7 / UCS-2 encoding and segment counting of SMS texts.

An SMS carries 140 octets. A text made only of GSM 03.38 characters travels
as 7-bit septets: 160 in a single SMS, 153 per segment once a concatenated
message needs its 6-octet header. A character of the extension table
(``^ { } \\ [ ~ ] | €`` and form feed) costs two septets (escape + code) and
is never split across segments. Any other character switches the whole text
to UCS-2: 70 UTF-16 code units, 67 per segment.

The contract is to agree with Twilio's open-source segment calculator (npm
``sms-segments-calculator`` 1.3.0, smart encoding off) on every input; the
shared table ``intellipush_sms/tests/data/sms_encoding_cases.json`` and the
tests at the repository root hold it to that. Its behaviour, which we copy:

* A UCS-2 text is cut between grapheme clusters, as the calculator's
  ``grapheme-splitter`` 1.0.4 (Unicode 10 rules, quirks included) cuts them,
  so an emoji with a skin tone, a flag or a base letter with its combining
  accent is never split, and neither is a surrogate pair. A CR LF pair counts
  as two characters.
* The first segment is filled to 70 (160) units; when the text overflows it,
  the header is added and whole clusters move on to the second segment until
  67 (153) units are left. For a cluster longer than a segment (dozens of
  stacked combining marks, nothing a person types) this gives odd results:
  the cluster overflows its segment (``remaining`` goes negative), and the
  first segment may even stay empty. That is indefensible as SMS, but the
  input is meaningless either way, so we match the calculator rather than
  invent a third answer.
* Ç is GSM-7 (GSM 03.38 code 0x09) but ç is not and forces UCS-2; form feed
  is the extension character 0x1B 0x0A; tab forces UCS-2.

One input we do not follow it on, because it is not text: a Python string
holding a surrogate pair as two code points (PostgreSQL cannot even store
it). JavaScript sees one astral character there; we count the same two
units but treat them as two lone surrogates. Real lone surrogates agree.

This runs for every recipient of a campaign, so the common texts take fast
paths (one regular-expression scan for plain GSM-7, ``str.encode`` for UCS-2
lengths) and the grapheme rules only run around the few characters that can
join a neighbour. Plain Python: nothing here may import Odoo.

Longer than our other files on purpose: the character tables and the
grapheme rules that must agree with the calculator belong together.
"""

import re
from bisect import bisect_left, bisect_right
from functools import lru_cache
from itertools import pairwise
from typing import NamedTuple

GSM7 = "GSM-7"
UCS2 = "UCS-2"

# GSM 03.38 default alphabet, as the calculator's UnicodeToGSM table maps it.
GSM7_BASIC_CHARACTERS = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION_CHARACTERS = frozenset("\f^{}\\[~]|€")

GSM7_SINGLE_SEPTETS = 160
GSM7_PART_SEPTETS = 153
UCS2_SINGLE_UNITS = 70
UCS2_PART_UNITS = 67

# Characters that look like GSM-7 ones (or are invisible) but force UCS-2,
# with their GSM-7 stand-ins: what the composer offers to replace.
LOOKALIKES = {
    "\u2018": "'",  # ‘ left single quotation mark
    "\u2019": "'",  # ’ right single quotation mark, the typographic apostrophe
    "\u201a": "'",  # ‚ single low-9 quotation mark
    "\u201b": "'",  # ‛ single high-reversed-9 quotation mark
    "\u2039": "'",  # ‹ single left-pointing angle quotation mark
    "\u203a": "'",  # › single right-pointing angle quotation mark
    "\u2032": "'",  # ′ prime
    "\u00b4": "'",  # ´ acute accent
    "`": "'",  # grave accent (not in GSM 03.38)
    "\u201c": '"',  # “ left double quotation mark
    "\u201d": '"',  # ” right double quotation mark
    "\u201e": '"',  # „ double low-9 quotation mark
    "\u201f": '"',  # ‟ double high-reversed-9 quotation mark
    "\u00ab": '"',  # « left-pointing double angle quotation mark
    "\u00bb": '"',  # » right-pointing double angle quotation mark
    "\u2033": '"',  # ″ double prime
    "\u2010": "-",  # ‐ hyphen
    "\u2011": "-",  # ‑ non-breaking hyphen
    "\u2012": "-",  # ‒ figure dash
    "\u2013": "-",  # – en dash
    "\u2014": "-",  # — em dash
    "\u2015": "-",  # ― horizontal bar
    "\u2212": "-",  # − minus sign
    "\u2022": "-",  # • bullet
    "\u2026": "...",  # … horizontal ellipsis
    "\u00a0": " ",  # no-break space
    "\u2002": " ",  # en space
    "\u2003": " ",  # em space
    "\u2007": " ",  # figure space
    "\u2009": " ",  # thin space
    "\u200a": " ",  # hair space
    "\u202f": " ",  # narrow no-break space
    "\u205f": " ",  # medium mathematical space
    "\u3000": " ",  # ideographic space
    "\t": " ",  # tab (not in GSM 03.38)
    "\u00ad": "",  # soft hyphen, invisible
    "\u200b": "",  # zero width space
    "\u2060": "",  # word joiner
    "\ufeff": "",  # zero width no-break space (byte order mark)
}
_LOOKALIKE_TABLE = str.maketrans(LOOKALIKES)
# The invisible ones: nobody means them, yet one no-break space (as Odoo's
# amount formatting writes) halves what a segment holds. The gateway replaces
# these in every SMS; visible look-alikes are left to the author.
INVISIBLE_LOOKALIKES = {
    char: replacement
    for char, replacement in LOOKALIKES.items()
    if replacement in (" ", "") and char not in ("\t", "\u3000")
}
_INVISIBLE_TABLE = str.maketrans(INVISIBLE_LOOKALIKES)


class SmsAnalysis(NamedTuple):
    """What a text costs as an SMS. A NamedTuple: cheap to build per recipient.

    ``unicode_characters`` lists code points, so a composed emoji shows up in
    its parts (a family: man, zero width joiner, woman, girl).
    """

    encoding: str  # GSM7 or UCS2
    segments: int  # at least 1, also for an empty text
    units: int  # septets (GSM-7, two per extension character) or UTF-16 code units (UCS-2)
    remaining: int  # units still free in the last segment
    characters: int  # code points, as a person counts them
    unicode_characters: tuple = ()  # distinct characters that forced UCS-2, in order of appearance


def _character_class(characters, negate=False):
    """A pattern matching one of ``characters`` (with ``negate``, any other character)."""
    return re.compile("[" + ("^" if negate else "") + re.escape("".join(sorted(characters))) + "]")


_NOT_GSM7_BASIC = _character_class(GSM7_BASIC_CHARACTERS, negate=True)
_NOT_GSM7 = _character_class(GSM7_BASIC_CHARACTERS | GSM7_EXTENSION_CHARACTERS, negate=True)
_GSM7_EXTENSION = _character_class(GSM7_EXTENSION_CHARACTERS)
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def is_gsm7(text):
    """True when ``text`` can be sent in GSM-7 (basic and extension table)."""
    return _NOT_GSM7.search(text) is None


def replace_lookalikes(text):
    """``text`` with the characters of LOOKALIKES replaced by their GSM-7 stand-ins."""
    return text.translate(_LOOKALIKE_TABLE)


def replace_invisible_lookalikes(text):
    """``text`` with no-break and other special spaces made plain, invisible characters removed."""
    return text.translate(_INVISIBLE_TABLE)


def analyze(text):
    """Encoding, segments and units of ``text``, as Twilio's calculator counts them."""
    first_non_basic = _NOT_GSM7_BASIC.search(text)
    if first_non_basic is None:  # the common case: one scan, no extension character
        length = len(text)
        if length <= GSM7_SINGLE_SEPTETS:
            return SmsAnalysis(GSM7, 1, length, GSM7_SINGLE_SEPTETS - length, length)
        segments = -(-length // GSM7_PART_SEPTETS)
        return SmsAnalysis(GSM7, segments, length, segments * GSM7_PART_SEPTETS - length, length)
    first_non_gsm7 = _NOT_GSM7.search(text, first_non_basic.start())
    if first_non_gsm7 is None:
        return _analyze_gsm7(text)
    forcing = tuple(dict.fromkeys(_NOT_GSM7.findall(text, first_non_gsm7.start())))
    return _analyze_ucs2(text, forcing)


def split(text):
    """The texts of the segments, in order, as the handset receives them
    (one per segment of ``analyze(text)``, so the first may be empty in the
    calculator's quirk described above)."""
    analysis = analyze(text)
    if analysis.segments == 1:
        return [text]
    if analysis.encoding == GSM7:
        units_of = [2 if char in GSM7_EXTENSION_CHARACTERS else 1 for char in text]
        extension_indexes = [match.start() for match in _GSM7_EXTENSION.finditer(text)]
        starts = _segment_starts(
            analysis.units, GSM7_SINGLE_SEPTETS, GSM7_PART_SEPTETS, _gsm7_wide_items(extension_indexes)
        )
    else:
        units_of = [2 if char > "\uffff" else 1 for char in text]
        wide_items = _ucs2_wide_items(text, _joining_characters(analysis.unicode_characters))
        starts = _segment_starts(analysis.units, UCS2_SINGLE_UNITS, UCS2_PART_UNITS, wide_items)
    # Segment starts are unit offsets; find the character at each.
    character_at_offset = {}
    offset = 0
    for index, units in enumerate(units_of):
        character_at_offset[offset] = index
        offset += units
    character_at_offset[offset] = len(text)
    cuts = [character_at_offset[start] for start in starts] + [len(text)]
    return [text[begin:end] for begin, end in pairwise(cuts)]


def _analyze_gsm7(text):
    extension_indexes = [match.start() for match in _GSM7_EXTENSION.finditer(text)]
    septets = len(text) + len(extension_indexes)
    if septets <= GSM7_SINGLE_SEPTETS:
        return SmsAnalysis(GSM7, 1, septets, GSM7_SINGLE_SEPTETS - septets, len(text))
    wide_items = _gsm7_wide_items(extension_indexes)
    starts = _segment_starts(septets, GSM7_SINGLE_SEPTETS, GSM7_PART_SEPTETS, wide_items)
    return SmsAnalysis(GSM7, len(starts), septets, GSM7_PART_SEPTETS - (septets - starts[-1]), len(text))


def _analyze_ucs2(text, forcing):
    # surrogatepass: a lone surrogate is one unit, as in JavaScript.
    units = len(text.encode("utf-16-le", "surrogatepass")) >> 1
    if units <= UCS2_SINGLE_UNITS:
        return SmsAnalysis(UCS2, 1, units, UCS2_SINGLE_UNITS - units, len(text), forcing)
    joining = _joining_characters(forcing)
    if units == len(text) and not joining:
        # Every character is a one-unit cluster: nothing to keep together.
        segments = -(-units // UCS2_PART_UNITS)
        return SmsAnalysis(UCS2, segments, units, segments * UCS2_PART_UNITS - units, len(text), forcing)
    starts = _segment_starts(units, UCS2_SINGLE_UNITS, UCS2_PART_UNITS, _ucs2_wide_items(text, joining))
    return SmsAnalysis(UCS2, len(starts), units, UCS2_PART_UNITS - (units - starts[-1]), len(text), forcing)


def _gsm7_wide_items(extension_indexes):
    """{septet offset: 2} of the extension characters at these character indexes."""
    return {index + extensions_before: 2 for extensions_before, index in enumerate(extension_indexes)}


def _segment_starts(total, single, part, wide_items):
    """Unit offsets at which the segments start, as the calculator's
    ``SegmentedMessage._buildSegments`` places them.

    ``wide_items`` maps the unit offset of every item (character or grapheme
    cluster) wider than one unit to its width, in ascending order; all other
    items are one unit wide.
    """
    if total <= single:
        return [0]
    wide_offsets = list(wide_items)

    def boundary_at_or_before(limit):
        """The last item boundary at or before unit offset ``limit``."""
        if limit >= total:
            return total
        index = bisect_right(wide_offsets, limit - 1) - 1
        if index >= 0 and wide_offsets[index] + wide_items[wide_offsets[index]] > limit:
            return wide_offsets[index]
        return limit

    # The first segment takes what fits in ``single`` units; the item that
    # does not fit opens the second segment, the header then pushes items
    # off the end of the first until it holds at most ``part`` units, and
    # they move to the front of the second.
    overflowing = boundary_at_or_before(single)
    starts = [0, boundary_at_or_before(min(overflowing, part))]
    forced = overflowing
    while True:
        # An opened segment always takes the item that opened it (even one
        # wider than a segment), then whatever else fits.
        forced_end = forced + wide_items.get(forced, 1)
        end = max(forced_end, boundary_at_or_before(starts[-1] + part))
        if end >= total:
            return starts
        starts.append(end)
        forced = end


def _ucs2_wide_items(text, joining):
    """{UTF-16 offset: units} of the grapheme clusters longer than one unit.

    Only the ``joining`` characters (see ``_joining_characters``) can glue to
    a neighbour, so clusters are only worked out in windows around their runs
    (one character either side) and around astral characters; every other
    character is a one-unit cluster of its own.
    """
    astral_indexes = [match.start() for match in _ASTRAL.finditer(text)]
    windows = [(index, index + 1) for index in astral_indexes]
    if joining:
        windows += [
            (max(run.start() - 1, 0), min(run.end() + 1, len(text))) for run in _joining_runs(joining).finditer(text)
        ]
        windows.sort()
    wide_items = {}
    for start, end in _merge_overlapping(windows):
        window_offset = start + bisect_left(astral_indexes, start)
        for offset, units in _wide_clusters_of(text[start:end]):
            wide_items[window_offset + offset] = units
    return wide_items


def _merge_overlapping(windows):
    """Sorted (start, end) windows with the overlapping ones joined."""
    merged = []
    for start, end in windows:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


@lru_cache(maxsize=4096)
def _joining_characters(characters):
    """Those of ``characters`` that can glue to a neighbour into one grapheme
    cluster: two neighbours of other classes always have a break between
    them. Cached: a campaign repeats the same few characters."""
    return "".join(char for char in characters if _grapheme_break_property(char) in _JOINING)


@lru_cache(maxsize=1024)
def _joining_runs(joining_characters):
    """A pattern for runs of these characters (cached: a campaign repeats the same few)."""
    return re.compile("[" + re.escape(joining_characters) + "]+")


@lru_cache(maxsize=4096)
def _wide_clusters_of(window):
    """((UTF-16 offset, units), ...) of the clusters of ``window`` longer than
    one unit (cached: a campaign repeats the same few emoji)."""
    wide_clusters = []
    offset = 0
    for cluster in _grapheme_clusters(window):
        units = len(cluster) + sum(char > "\uffff" for char in cluster)
        if units > 1:
            wide_clusters.append((offset, units))
        offset += units
    return tuple(wide_clusters)


# Grapheme clusters, ported from grapheme-splitter 1.0.4 (the calculator's
# dependency), bugs included: the calculator never splits a cluster, so where
# it sees one is part of the segment count. Its grapheme break classes, in its
# numbering:
(
    _CR,
    _LF,
    _CONTROL,
    _EXTEND,
    _REGIONAL_INDICATOR,
    _SPACING_MARK,
    _L,
    _V,
    _T,
    _LV,
    _LVT,
    _OTHER,
    _PREPEND,
    _E_BASE,
    _E_MODIFIER,
    _ZWJ,
    _GLUE_AFTER_ZWJ,
    _E_BASE_GAZ,
) = range(18)
# The classes that can glue a character to a neighbour. Two neighbours of
# other classes always have a break between them. (Hangul LV and LVT
# syllables only glue to an L before or a V or T after, which are in here;
# a Glue_After_Zwj only to a ZWJ before.)
_JOINING = frozenset((_EXTEND, _ZWJ, _SPACING_MARK, _PREPEND, _REGIONAL_INDICATOR, _E_MODIFIER, _L, _V, _T))

# grapheme-splitter's table (Unicode 10.0 GraphemeBreakProperty.txt plus the
# Emoji 5.0 classes), as "Class: ranges" in hexadecimal; unlisted code points
# are Other, and the Hangul syllables U+AC00..U+D7A3 are LV or LVT by formula.
# tests/test_sms_encoding.py compares it with the JavaScript, code point by
# code point.
_GRAPHEME_BREAK_RANGES = """
CR: 000D
LF: 000A
Control: 0000-0009 000B-000C 000E-001F 007F-009F 00AD 061C 180E 200B 200E-200F 2028-202E
2060-206F D800-DFFF FEFF FFF0-FFFB 1BCA0-1BCA3 1D173-1D17A E0000-E001F E0080-E00FF E01F0-E0FFF
Extend: 0300-036F 0483-0489 0591-05BD 05BF 05C1-05C2 05C4-05C5 05C7 0610-061A 064B-065F 0670
06D6-06DC 06DF-06E4 06E7-06E8 06EA-06ED 0711 0730-074A 07A6-07B0 07EB-07F3 0816-0819 081B-0823
0825-0827 0829-082D 0859-085B 08D4-08E1 08E3-0902 093A 093C 0941-0948 094D 0951-0957 0962-0963
0981 09BC 09BE 09C1-09C4 09CD 09D7 09E2-09E3 0A01-0A02 0A3C 0A41-0A42 0A47-0A48 0A4B-0A4D 0A51
0A70-0A71 0A75 0A81-0A82 0ABC 0AC1-0AC5 0AC7-0AC8 0ACD 0AE2-0AE3 0AFA-0AFF 0B01 0B3C 0B3E-0B3F
0B41-0B44 0B4D 0B56-0B57 0B62-0B63 0B82 0BBE 0BC0 0BCD 0BD7 0C00 0C3E-0C40 0C46-0C48 0C4A-0C4D
0C55-0C56 0C62-0C63 0C81 0CBC 0CBF 0CC2 0CC6 0CCC-0CCD 0CD5-0CD6 0CE2-0CE3 0D00-0D01 0D3B-0D3C
0D3E 0D41-0D44 0D4D 0D57 0D62-0D63 0DCA 0DCF 0DD2-0DD4 0DD6 0DDF 0E31 0E34-0E3A 0E47-0E4E 0EB1
0EB4-0EB9 0EBB-0EBC 0EC8-0ECD 0F18-0F19 0F35 0F37 0F39 0F71-0F7E 0F80-0F84 0F86-0F87 0F8D-0F97
0F99-0FBC 0FC6 102D-1030 1032-1037 1039-103A 103D-103E 1058-1059 105E-1060 1071-1074 1082
1085-1086 108D 109D 135D-135F 1712-1714 1732-1734 1752-1753 1772-1773 17B4-17B5 17B7-17BD 17C6
17C9-17D3 17DD 180B-180D 1885-1886 18A9 1920-1922 1927-1928 1932 1939-193B 1A17-1A18 1A1B 1A56
1A58-1A5E 1A60 1A62 1A65-1A6C 1A73-1A7C 1A7F 1AB0-1ABE 1B00-1B03 1B34 1B36-1B3A 1B3C 1B42
1B6B-1B73 1B80-1B81 1BA2-1BA5 1BA8-1BA9 1BAB-1BAD 1BE6 1BE8-1BE9 1BED 1BEF-1BF1 1C2C-1C33
1C36-1C37 1CD0-1CD2 1CD4-1CE0 1CE2-1CE8 1CED 1CF4 1CF8-1CF9 1DC0-1DF9 1DFB-1DFF 200C 20D0-20F0
2CEF-2CF1 2D7F 2DE0-2DFF 302A-302F 3099-309A A66F-A672 A674-A67D A69E-A69F A6F0-A6F1 A802 A806
A80B A825-A826 A8C4-A8C5 A8E0-A8F1 A926-A92D A947-A951 A980-A982 A9B3 A9B6-A9B9 A9BC A9E5
AA29-AA2E AA31-AA32 AA35-AA36 AA43 AA4C AA7C AAB0 AAB2-AAB4 AAB7-AAB8 AABE-AABF AAC1 AAEC-AAED
AAF6 ABE5 ABE8 ABED FB1E FE00-FE0F FE20-FE2F FF9E-FF9F 101FD 102E0 10376-1037A 10A01-10A03
10A05-10A06 10A0C-10A0F 10A38-10A3A 10A3F 10AE5-10AE6 11001 11038-11046 1107F-11081 110B3-110B6
110B9-110BA 11100-11102 11127-1112B 1112D-11134 11173 11180-11181 111B6-111BE 111CA-111CC
1122F-11231 11234 11236-11237 1123E 112DF 112E3-112EA 11300-11301 1133C 1133E 11340 11357
11366-1136C 11370-11374 11438-1143F 11442-11444 11446 114B0 114B3-114B8 114BA 114BD 114BF-114C0
114C2-114C3 115AF 115B2-115B5 115BC-115BD 115BF-115C0 115DC-115DD 11633-1163A 1163D 1163F-11640
116AB 116AD 116B0-116B5 116B7 1171D-1171F 11722-11725 11727-1172B 11A01-11A06 11A09-11A0A
11A33-11A38 11A3B-11A3E 11A47 11A51-11A56 11A59-11A5B 11A8A-11A96 11A98-11A99 11C30-11C36
11C38-11C3D 11C3F 11C92-11CA7 11CAA-11CB0 11CB2-11CB3 11CB5-11CB6 11D31-11D36 11D3A 11D3C-11D3D
11D3F-11D45 11D47 16AF0-16AF4 16B30-16B36 16F8F-16F92 1BC9D-1BC9E 1D165 1D167-1D169 1D16E-1D172
1D17B-1D182 1D185-1D18B 1D1AA-1D1AD 1D242-1D244 1DA00-1DA36 1DA3B-1DA6C 1DA75 1DA84 1DA9B-1DA9F
1DAA1-1DAAF 1E000-1E006 1E008-1E018 1E01B-1E021 1E023-1E024 1E026-1E02A 1E8D0-1E8D6 1E944-1E94A
E0020-E007F E0100-E01EF
ZWJ: 200D
SpacingMark: 0903 093B 093E-0940 0949-094C 094E-094F 0982-0983 09BF-09C0 09C7-09C8 09CB-09CC
0A03 0A3E-0A40 0A83 0ABE-0AC0 0AC9 0ACB-0ACC 0B02-0B03 0B40 0B47-0B48 0B4B-0B4C 0BBF 0BC1-0BC2
0BC6-0BC8 0BCA-0BCC 0C01-0C03 0C41-0C44 0C82-0C83 0CBE 0CC0-0CC1 0CC3-0CC4 0CC7-0CC8 0CCA-0CCB
0D02-0D03 0D3F-0D40 0D46-0D48 0D4A-0D4C 0D82-0D83 0DD0-0DD1 0DD8-0DDE 0DF2-0DF3 0E33 0EB3
0F3E-0F3F 0F7F 1031 103B-103C 1056-1057 1084 17B6 17BE-17C5 17C7-17C8 1923-1926 1929-192B
1930-1931 1933-1938 1A19-1A1A 1A55 1A57 1A6D-1A72 1B04 1B35 1B3B 1B3D-1B41 1B43-1B44 1B82 1BA1
1BA6-1BA7 1BAA 1BE7 1BEA-1BEC 1BEE 1BF2-1BF3 1C24-1C2B 1C34-1C35 1CE1 1CF2-1CF3 1CF7 A823-A824
A827 A880-A881 A8B4-A8C3 A952-A953 A983 A9B4-A9B5 A9BA-A9BB A9BD-A9C0 AA2F-AA30 AA33-AA34 AA4D
AAEB AAEE-AAEF AAF5 ABE3-ABE4 ABE6-ABE7 ABE9-ABEA ABEC 11000 11002 11082 110B0-110B2 110B7-110B8
1112C 11182 111B3-111B5 111BF-111C0 1122C-1122E 11232-11233 11235 112E0-112E2 11302-11303 1133F
11341-11344 11347-11348 1134B-1134D 11362-11363 11435-11437 11440-11441 11445 114B1-114B2 114B9
114BB-114BC 114BE 114C1 115B0-115B1 115B8-115BB 115BE 11630-11632 1163B-1163C 1163E 116AC
116AE-116AF 116B6 11720-11721 11726 11A07-11A08 11A39 11A57-11A58 11A97 11C2F 11C3E 11CA9 11CB1
11CB4 16F51-16F7E 1D166 1D16D
Prepend: 0600-0605 06DD 070F 08E2 0D4E 110BD 111C2-111C3 11A3A 11A86-11A89 11D46
Regional_Indicator: 1F1E6-1F1FF
L: 1100-115F A960-A97C
V: 1160-11A7 D7B0-D7C6
T: 11A8-11FF D7CB-D7FB
E_Base: 261D 26F9 270A-270D 1F385 1F3C2-1F3C4 1F3C7 1F3CA-1F3CC 1F442-1F443 1F446-1F450 1F46E
1F470-1F478 1F47C 1F481-1F483 1F485-1F487 1F4AA 1F574-1F575 1F57A 1F590 1F595-1F596 1F645-1F647
1F64B-1F64F 1F6A3 1F6B4-1F6B6 1F6C0 1F6CC 1F918-1F91C 1F91E-1F91F 1F926 1F930-1F939 1F93D-1F93E
1F9D1-1F9DD
E_Modifier: 1F3FB-1F3FF
Glue_After_Zwj: 2640 2642 2695-2696 2708 2764 1F308 1F33E 1F373 1F393 1F3A4 1F3A8 1F3EB 1F3ED
1F48B 1F4BB-1F4BC 1F527 1F52C 1F5E8 1F680 1F692
E_Base_GAZ: 1F466-1F469
"""


def _parse_ranges(ranges_text):
    classes = {
        "CR": _CR,
        "LF": _LF,
        "Control": _CONTROL,
        "Extend": _EXTEND,
        "ZWJ": _ZWJ,
        "SpacingMark": _SPACING_MARK,
        "Prepend": _PREPEND,
        "Regional_Indicator": _REGIONAL_INDICATOR,
        "L": _L,
        "V": _V,
        "T": _T,
        "E_Base": _E_BASE,
        "E_Modifier": _E_MODIFIER,
        "Glue_After_Zwj": _GLUE_AFTER_ZWJ,
        "E_Base_GAZ": _E_BASE_GAZ,
    }
    ranges = []
    for token in ranges_text.split():
        if token.endswith(":"):
            grapheme_class = classes[token[:-1]]
            continue
        first, _dash, last = token.partition("-")
        ranges.append((int(first, 16), int(last or first, 16), grapheme_class))
    ranges.sort()
    starts = [first for first, _last, _class in ranges]
    ends_and_classes = [(last, grapheme_class) for _first, last, grapheme_class in ranges]
    return starts, ends_and_classes


_RANGE_STARTS, _RANGE_ENDS_AND_CLASSES = _parse_ranges(_GRAPHEME_BREAK_RANGES)
_HANGUL_SYLLABLES = range(0xAC00, 0xD7A4)


@lru_cache(maxsize=8192)
def _grapheme_break_property(char):
    code_point = ord(char)
    if code_point in _HANGUL_SYLLABLES:
        return _LV if (code_point - 0xAC00) % 28 == 0 else _LVT
    index = bisect_right(_RANGE_STARTS, code_point) - 1
    if index >= 0:
        last, grapheme_class = _RANGE_ENDS_AND_CLASSES[index]
        if code_point <= last:
            return grapheme_class
    return _OTHER


def _grapheme_clusters(text):
    """The grapheme clusters of ``text`` as the calculator cuts them:
    grapheme-splitter's nextBreak, then CR LF in two."""
    classes = [_grapheme_break_property(char) for char in text]
    clusters = []
    start = 0
    while start < len(text):
        end = _next_break(classes, start)
        if text[start:end] == "\r\n":
            clusters.append("\r")
            start += 1
        clusters.append(text[start:end])
        start = end
    return clusters


def _next_break(classes, index):
    if index >= len(classes) - 1:
        return len(classes)
    first = classes[index]
    middle = []
    for position in range(index + 1, len(classes)):
        following = classes[position]
        if _should_break(first, middle, following):
            return position
        middle.append(following)
    return len(classes)


def _last_index(items, value):
    """Index of the last ``value`` in ``items``, -1 if absent (JavaScript's lastIndexOf)."""
    for index in range(len(items) - 1, -1, -1):
        if items[index] == value:
            return index
    return -1


def _should_break(first, middle, following):
    """grapheme-splitter's shouldBreak: is there a break before ``following``,
    given the classes of the cluster so far (``first`` then ``middle``)?
    Rule for rule, including its look-ahead terminators."""
    sequence = [first, *middle, following]
    previous = sequence[-2]
    # GB10 look-ahead terminator: an E_Modifier not right after (Extend* of) an E_Base.
    e_modifier_index = _last_index(sequence, _E_MODIFIER)
    if (
        e_modifier_index > 1
        and all(item == _EXTEND for item in sequence[1:e_modifier_index])
        and first not in (_EXTEND, _E_BASE, _E_BASE_GAZ)
    ):
        return True
    # GB12/GB13 look-ahead terminator for regional indicators.
    regional_index = _last_index(sequence, _REGIONAL_INDICATOR)
    if (
        regional_index > 0
        and all(item == _REGIONAL_INDICATOR for item in sequence[1:regional_index])
        and previous not in (_PREPEND, _REGIONAL_INDICATOR)
    ):
        return True
    if previous == _CR and following == _LF:  # GB3
        return False
    if previous in (_CONTROL, _CR, _LF) or following in (_CONTROL, _CR, _LF):  # GB4, GB5
        return True
    if previous == _L and following in (_L, _V, _LV, _LVT):  # GB6
        return False
    if previous in (_LV, _V) and following in (_V, _T):  # GB7
        return False
    if previous in (_LVT, _T) and following == _T:  # GB8
        return False
    if following in (_EXTEND, _ZWJ, _SPACING_MARK) or previous == _PREPEND:  # GB9, GB9a, GB9b
        return False
    # GB10: (E_Base | E_Base_GAZ) Extend* x E_Modifier
    last_extend = _last_index(sequence, _EXTEND)
    previous_non_extend = last_extend - 1 if last_extend >= 0 else len(sequence) - 2
    if (
        following == _E_MODIFIER
        and previous_non_extend >= 0
        and sequence[previous_non_extend] in (_E_BASE, _E_BASE_GAZ)
        and all(item == _EXTEND for item in sequence[previous_non_extend + 1 : -1])
    ):
        return False
    if previous == _ZWJ and following in (_GLUE_AFTER_ZWJ, _E_BASE_GAZ):  # GB11
        return False
    if _REGIONAL_INDICATOR in middle:  # GB12, GB13
        return True
    return not (previous == _REGIONAL_INDICATOR and following == _REGIONAL_INDICATOR)
