"""The live counter's JavaScript encoder (intellipush_sms/static/src/sms_encoding.js)
against the shared table that also drives the Python encoder: both count the
same encoding, segments, units and room left for every text. Runs in node."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
ENCODER = REPO_ROOT / "intellipush_sms" / "static" / "src" / "sms_encoding.js"
CASES = REPO_ROOT / "intellipush_sms" / "tests" / "data" / "sms_encoding_cases.json"

# Imports the browser module as it is (no build step) and prints its analysis
# of every text of the table.
RUNNER = """
import { readFileSync } from "fs";
const [encoderPath, casesPath] = process.argv.slice(-2);
const source = readFileSync(encoderPath, "utf8");
const encoder = await import("data:text/javascript;base64," + Buffer.from(source).toString("base64"));
const texts = JSON.parse(readFileSync(casesPath, "utf8")).map((item) => item.text);
const results = texts.map((text) => {
    const { encoding, segments, units, remaining, unicodeCharacters } = encoder.analyze(text);
    return { encoding, segments, units, remaining, unicodeCharacters, replaced: encoder.replaceLookalikes(text) };
});
process.stdout.write(JSON.stringify(results));
"""


@pytest.fixture(scope="module")
def js_results():
    if shutil.which("node") is None:
        pytest.fail("node is not installed: the counter's encoder is tested with it")
    completed = subprocess.run(
        ["node", "--input-type=module", "-e", RUNNER, str(ENCODER), str(CASES)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def test_js_encoder_agrees_with_the_shared_table(js_results):
    cases = json.loads(CASES.read_text(encoding="utf-8"))
    assert len(js_results) == len(cases)
    mismatches = [
        (case["text"][:40], {key: case[key] for key in ("encoding", "segments", "units", "remaining")}, result)
        for case, result in zip(cases, js_results, strict=True)
        if any(result[key] != case[key] for key in ("encoding", "segments", "units", "remaining"))
    ]
    assert not mismatches, mismatches[:5]


def test_js_names_the_characters_that_force_ucs2_like_python(js_results):
    from intellipush_sms.tools.sms_encoding import analyze, replace_lookalikes  # noqa: PLC0415

    cases = json.loads(CASES.read_text(encoding="utf-8"))
    for case, result in zip(cases, js_results, strict=True):
        if any(0xD800 <= ord(char) <= 0xDFFF for char in case["text"]):
            continue  # lone surrogates: JavaScript and Python see different characters
        python = analyze(case["text"])
        assert result["unicodeCharacters"] == list(python.unicode_characters), case["text"][:40]
        assert result["replaced"] == replace_lookalikes(case["text"]), case["text"][:40]
