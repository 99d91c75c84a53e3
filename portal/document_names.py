"""The file names of the PDFs we attach to e-mails and offer for download, in the document's
language: a Dutch participant receives ``factuur-2026-000001.pdf``, not ``invoice-...``.

Plain ASCII words in a table rather than gettext: a file name is saved on the person's disk and
quoted in their mail client, so it stays stable and free of accents whatever the catalogue says
(the reference part, an edition code staff typed, is quoted by the caller).
"""

NAMES = {
    "invoice": {"nl": "factuur", "en": "invoice"},
    "credit_note": {"nl": "creditnota", "en": "credit-note"},
    "registration": {"nl": "inschrijvingsattest", "en": "registration-certificate"},
    "participation": {"nl": "deelnameattest", "en": "participation-certificate"},
    "programme": {"nl": "getuigschrift", "en": "programme-certificate"},
    "credit": {"nl": "creditbewijs", "en": "credit-certificate"},
}


def document_filename(kind: str, reference: str, language: str) -> str:
    """``<word>-<reference>.pdf``; an unknown language falls back to Dutch (the portal's
    default language, settings.LANGUAGE_CODE)."""
    words = NAMES[kind]
    return f"{words.get((language or 'nl')[:2], words['nl'])}-{reference}.pdf"
