"""Every text of our addons has its Norwegian Bokmål translation (the UI ships in nb_NO)."""

from pathlib import Path

import polib
import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
ADDONS = sorted(path.parent.name for path in REPO_ROOT.glob("*/__manifest__.py"))


@pytest.mark.parametrize("addon", ADDONS)
def test_every_exported_text_is_translated(addon):
    i18n = REPO_ROOT / addon / "i18n"
    template = polib.pofile(str(i18n / f"{addon}.pot"))
    norwegian = {entry.msgid: entry for entry in polib.pofile(str(i18n / "nb.po"))}
    missing = [
        entry.msgid
        for entry in template
        if entry.msgid not in norwegian
        or not norwegian[entry.msgid].msgstr.strip()
        or "fuzzy" in norwegian[entry.msgid].flags
    ]
    assert not missing, f"{addon}: {len(missing)} text(s) without nb translation, e.g. {missing[:3]}"
