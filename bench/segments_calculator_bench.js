// Times Twilio's SMS segment calculator over a corpus, for
// bench/bench_sms_encoding.py.
//
//   node segments_calculator_bench.js CORPUS.json
//
// CORPUS.json holds a JSON list of texts. Prints JSON {seconds, results}:
// seconds spent in `new SegmentedMessage(text)` over the whole corpus (node's
// start-up, reading the corpus and a warm-up pass excluded), and for each
// text [encoding, segments, units, remaining] so the caller can check that
// both implementations agree.
"use strict";

const fs = require("fs");
const { SegmentedMessage } = require("sms-segments-calculator");

const WARM_UP_MESSAGES = 500;

function summary(message) {
    const bitsPerUnit = message.encodingName === "GSM-7" ? 7 : 16;
    const lastSegment = message.segments[message.segments.length - 1];
    return [
        message.encodingName,
        message.segmentsCount,
        message.messageSize / bitsPerUnit,
        Math.floor(lastSegment.freeSizeInBits() / bitsPerUnit),
    ];
}

const texts = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
for (const text of texts.slice(0, WARM_UP_MESSAGES)) {
    new SegmentedMessage(text);
}
let nanoseconds = 0n;
const results = [];
for (const text of texts) {
    const start = process.hrtime.bigint();
    const message = new SegmentedMessage(text);
    nanoseconds += process.hrtime.bigint() - start;
    results.push(summary(message));
}
process.stdout.write(JSON.stringify({ seconds: Number(nanoseconds) / 1e9, results }));
