/**
 * GSM-7 / UCS-2 encoding and segment counting, for the live counter under
 * SMS texts. The same rules as the Python encoder (tools/sms_encoding.py):
 * 160 / 153 septets in GSM-7 (an extension character costs two and is never
 * split), 70 / 67 UTF-16 units in UCS-2, where grapheme clusters (an emoji
 * with its skin tone, a flag, a letter with its accent) are never split.
 * The shared table tests/data/sms_encoding_cases.json holds both to it.
 *
 * Plain JavaScript without imports, so that node runs it in the tests.
 */

export const GSM7 = "GSM-7";
export const UCS2 = "UCS-2";

const GSM7_BASIC = new Set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
        "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
);
const GSM7_EXTENSION = new Set("\f^{}\\[~]|€");
const LIMITS = {
    [GSM7]: { single: 160, part: 153 },
    [UCS2]: { single: 70, part: 67 },
};

// Characters that look like GSM-7 ones but force UCS-2, with their stand-ins.
export const LOOKALIKES = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2039": "'", "\u203a": "'",
    "\u2032": "'", "\u00b4": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u2022": "-", "\u2026": "...",
    "\u00a0": " ", "\u2002": " ", "\u2003": " ", "\u2007": " ", "\u2009": " ", "\u200a": " ", "\u202f": " ",
    "\u205f": " ", "\u3000": " ", "\t": " ",
    "\u00ad": "", "\u200b": "", "\u2060": "", "\ufeff": "",
};

export function replaceLookalikes(text) {
    return Array.from(text, (char) => (char in LOOKALIKES ? LOOKALIKES[char] : char)).join("");
}

let segmenter = null;
function graphemes(text) {
    segmenter ||= new Intl.Segmenter("en", { granularity: "grapheme" });
    return Array.from(segmenter.segment(text), (part) => part.segment);
}

/**
 * @returns {{encoding: string, segments: number, units: number, remaining: number,
 *            characters: number, unicodeCharacters: string[]}}
 */
export function analyze(text) {
    const characters = Array.from(text);
    const forcing = [];
    let gsm7 = true;
    for (const char of characters) {
        if (!GSM7_BASIC.has(char) && !GSM7_EXTENSION.has(char)) {
            gsm7 = false;
            if (!forcing.includes(char)) {
                forcing.push(char);
            }
        }
    }
    // Items that cannot be split, with their width in units.
    let widths;
    if (gsm7) {
        widths = characters.map((char) => (GSM7_EXTENSION.has(char) ? 2 : 1));
    } else {
        widths = graphemes(text).map((cluster) => cluster.length);
    }
    const encoding = gsm7 ? GSM7 : UCS2;
    const { single, part } = LIMITS[encoding];
    const units = widths.reduce((sum, width) => sum + width, 0);
    const result = { encoding, units, characters: characters.length, unicodeCharacters: forcing };
    if (units <= single) {
        return { ...result, segments: 1, remaining: single - units };
    }
    const starts = segmentStarts(widths, units, single, part);
    return { ...result, segments: starts.length, remaining: part - (units - starts[starts.length - 1]) };
}

/**
 * Unit offsets where the segments start: the first segment takes what fits
 * in `single` units, the header then pushes items off its end until it holds
 * at most `part`, and every later segment takes the item that opened it and
 * whatever else fits in `part`.
 */
function segmentStarts(widths, total, single, part) {
    const offsets = [];
    const widthAt = new Map();
    let offset = 0;
    for (const width of widths) {
        offsets.push(offset);
        if (width > 1) {
            widthAt.set(offset, width);
        }
        offset += width;
    }
    const wideOffsets = [...widthAt.keys()];
    function boundaryAtOrBefore(limit) {
        if (limit >= total) {
            return total;
        }
        let index = -1;
        for (let i = 0; i < wideOffsets.length && wideOffsets[i] <= limit - 1; i++) {
            index = i;
        }
        if (index >= 0 && wideOffsets[index] + widthAt.get(wideOffsets[index]) > limit) {
            return wideOffsets[index];
        }
        return limit;
    }
    const overflowing = boundaryAtOrBefore(single);
    const starts = [0, boundaryAtOrBefore(Math.min(overflowing, part))];
    let forced = overflowing;
    for (;;) {
        const forcedEnd = forced + (widthAt.get(forced) || 1);
        const end = Math.max(forcedEnd, boundaryAtOrBefore(starts[starts.length - 1] + part));
        if (end >= total) {
            return starts;
        }
        starts.push(end);
        forced = end;
    }
}
