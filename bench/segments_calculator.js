// Twilio's SMS segment calculator (npm sms-segments-calculator), run as the
// reference for intellipush_sms/tools/sms_encoding.py. Used by
// bench/make_encoding_cases.py and tests/test_sms_encoding.py.
//
//   node segments_calculator.js analyze TEXTS.json
//       TEXTS.json holds a JSON list of texts. Prints a JSON list with, for
//       each text, {encoding, segments, units, remaining, parts}: units are
//       septets (GSM-7) or UTF-16 code units (UCS-2), remaining the units
//       still free in the last segment, parts the texts of the segments.
//   node segments_calculator.js gsm-alphabet
//       Prints {basic, extension}: the characters the calculator encodes in
//       one septet and in two.
//   node segments_calculator.js grapheme-classes
//       Prints grapheme-splitter's class of every code point, run-length
//       encoded: [[first code point, class number], ...].
"use strict";

const fs = require("fs");
const { SegmentedMessage } = require("sms-segments-calculator");
const UnicodeToGsm = require("sms-segments-calculator/dist/libs/UnicodeToGSM").default;

function analyze(text) {
    const message = new SegmentedMessage(text);
    const bitsPerUnit = message.encodingName === "GSM-7" ? 7 : 16;
    const lastSegment = message.segments[message.segments.length - 1];
    const parts = message.segments.map((segment) => {
        let part = "";
        for (const item of segment) {
            if (!item.isUserDataHeader) {
                part += item.raw;
            }
        }
        return part;
    });
    return {
        encoding: message.encodingName,
        segments: message.segmentsCount,
        units: message.messageSize / bitsPerUnit,
        remaining: Math.floor(lastSegment.freeSizeInBits() / bitsPerUnit),
        parts,
    };
}

function gsmAlphabet() {
    const alphabet = { basic: "", extension: "" };
    for (const [codeUnit, septets] of Object.entries(UnicodeToGsm)) {
        alphabet[septets.length === 1 ? "basic" : "extension"] += String.fromCharCode(Number(codeUnit));
    }
    return alphabet;
}

function graphemeClasses() {
    // getGraphemeBreakProperty is private to grapheme-splitter's constructor:
    // load its source with one line added that exposes it.
    const path = require.resolve("grapheme-splitter", { paths: [require.resolve("sms-segments-calculator")] });
    const source = fs.readFileSync(path, "utf8");
    const exposed = source.replace("return this;", "this.graphemeBreakProperty = getGraphemeBreakProperty; return this;");
    if (exposed === source) {
        throw new Error(`cannot expose getGraphemeBreakProperty in ${path}`);
    }
    const module = { exports: {} };
    new Function("module", exposed)(module);
    const classOf = new module.exports().graphemeBreakProperty;
    const runs = [];
    for (let codePoint = 0; codePoint <= 0x10ffff; codePoint++) {
        const graphemeClass = classOf(codePoint);
        if (runs.length === 0 || runs[runs.length - 1][1] !== graphemeClass) {
            runs.push([codePoint, graphemeClass]);
        }
    }
    return runs;
}

const [mode, textsPath] = process.argv.slice(2);
let result;
if (mode === "analyze" && textsPath) {
    result = JSON.parse(fs.readFileSync(textsPath, "utf8")).map(analyze);
} else if (mode === "gsm-alphabet") {
    result = gsmAlphabet();
} else if (mode === "grapheme-classes") {
    result = graphemeClasses();
} else {
    console.error("usage: node segments_calculator.js analyze TEXTS.json | gsm-alphabet | grapheme-classes");
    process.exit(2);
}
process.stdout.write(JSON.stringify(result));
