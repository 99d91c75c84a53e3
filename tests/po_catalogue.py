"""The Dutch of TRANSLATIONS.po in the nl catalogue, for the tests that read Dutch before the file
is merged into locale/ (and after: the entries are the same then). Handles multi-line strings and
msgctxt (Django keys a contexted message as ``context\\x04msgid``); fuzzy and untranslated entries
are left out."""

import ast
from pathlib import Path

import pytest
from django.utils.translation import trans_real

PO = Path(__file__).resolve().parents[1] / "TRANSLATIONS.po"


def entries(path: Path = PO) -> dict[str, str]:
    """{msgid or "msgctxt\\x04msgid": msgstr} of the singular, translated, non-fuzzy entries."""
    found: dict[str, str] = {}
    fields: dict[str, str] = {}
    fuzzy = False
    current = None

    def flush():
        nonlocal fuzzy
        if fields.get("msgid") and fields.get("msgstr") and not fuzzy:
            key = fields["msgid"]
            if "msgctxt" in fields:
                key = f"{fields['msgctxt']}\x04{key}"
            found[key] = fields["msgstr"]
        fields.clear()
        fuzzy = False

    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            flush()
            current = None
        elif line.startswith("#"):
            fuzzy = fuzzy or (line.startswith("#,") and "fuzzy" in line)
        elif line.startswith(("msgctxt ", "msgid ", "msgstr ")):
            current, _, literal = line.partition(" ")
            fields[current] = ast.literal_eval(literal)
        elif line.startswith('"') and current:
            fields[current] += ast.literal_eval(line)
    flush()
    return found


@pytest.fixture
def dutch_po(monkeypatch):
    """The nl catalogue with the Dutch of TRANSLATIONS.po, as it will be once merged."""
    catalogue = trans_real.translation("nl")._catalog._catalogs[0]
    for key, value in entries().items():
        monkeypatch.setitem(catalogue, key, value)
