"""Results per unit and chance, append-only (a correction supersedes, with who and why), entered
one by one or by CSV upload (validated line by line; all or nothing). The CSV's column names are
read in Dutch or English (and as the English names the import has always read); the template
staff download has them in their own language."""

import csv
import io
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from audit.trail import record
from exams.grading import MAX_RESULT
from exams.models import Chance, Enrolment, ExamRules, Result
from registrations.models import Registration


class ResultRefused(ValueError):
    """The result cannot be recorded; the message says why."""


CODE_MAX_LENGTH = Result._meta.get_field("code").max_length
REASON_MAX_LENGTH = Result._meta.get_field("reason").max_length


def parse_result(text: str, rules: ExamRules) -> tuple[Decimal | None, str]:
    """(value, "") for a number on 20, (None, code) for a code the organizer allows."""
    text = (text or "").strip()
    if not text:
        raise ResultRefused(_("The result is empty."))
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        code = text.upper()
        if len(code) > CODE_MAX_LENGTH:
            raise ResultRefused(
                _("A result code has at most %(count)s characters: %(code)s.")
                % {"count": CODE_MAX_LENGTH, "code": text}
            ) from None
        if code not in rules.codes:
            raise ResultRefused(
                _("Unknown result code %(code)s (allowed: %(codes)s).")
                % {"code": text, "codes": ", ".join(sorted(rules.codes))}
            ) from None
        return None, code
    if not value.is_finite() or not 0 <= value <= MAX_RESULT:
        raise ResultRefused(_("A result lies between 0 and 20, not %(value)s.") % {"value": text})
    if -value.as_tuple().exponent > rules.decimal_places:
        raise ResultRefused(
            _("At most %(places)s decimal(s) allowed: %(value)s.")
            % {"places": rules.decimal_places, "value": text}
        )
    return value, ""


def _check(enrolment: Enrolment, value, code: str, reason: str) -> tuple[Decimal | None, str]:
    rules = ExamRules.for_organizer(enrolment.unit.course.organizer)
    if (value is None) == (not code):
        raise ResultRefused(_("Give either a number on 20 or a code."))
    value, code = parse_result(str(value) if value is not None else code, rules)
    if len(reason.strip()) > REASON_MAX_LENGTH:
        raise ResultRefused(_("The reason has at most %(count)s characters.")
                            % {"count": REASON_MAX_LENGTH})
    if Result.objects.current().filter(enrolment=enrolment).exists() and not reason.strip():
        raise ResultRefused(_("This enrolment has a result already: a correction needs a reason."))
    return value, code


def _write(enrolment: Enrolment, value, code: str, user, reason: str) -> Result:
    """The result, superseding the current one, audited. The certificates are the caller's
    next step (`_review_after`), once per registration."""
    current = Result.objects.current().filter(enrolment=enrolment).first()
    result = Result.objects.create(
        enrolment=enrolment, value=value, code=code, entered_by=user,
        reason=reason.strip(), supersedes=current,
    )
    audit_result(result, current, user, enrolment.unit.course.organizer_id)
    return result


def _review_after(results: list[Result], user) -> None:
    """What results entered mean for certificates, once per registration however many of its
    results were entered: a certificate issued on an old result may no longer hold, so it is
    marked "to review" in this same transaction (the results and the marks are saved together
    or not at all; rules.md §7, staff decide on revocation, seed 2 art. 9.1); after a
    correction a certificate may be due (issued after commit, by the task)."""
    from certificates.models import ReviewCause
    from certificates.services import review_certificates
    from certificates.tasks import issue_certificates_for_registration_task
    from portal.queueing import enqueue_on_commit

    registrations, corrected = {}, set()
    for result in results:
        registration = result.enrolment.registration
        registrations.setdefault(registration.pk, registration)
        if result.supersedes_id is not None:
            corrected.add(registration.pk)
    for registration_id, registration in registrations.items():
        review_certificates(registration, cause=ReviewCause.RESULT, by=user)
        if registration_id in corrected:
            enqueue_on_commit(issue_certificates_for_registration_task,
                              registration_id=registration_id)


def audit_result(result: Result, superseded: Result | None, user, organizer_id) -> None:
    """The audit entry of a result (who, the result it corrects, the new value or code)."""
    def value(result):  # as stored: two decimals
        return None if result.value is None else Decimal(result.value).quantize(Decimal("0.01"))

    from portal.privacy.trail import without_person

    person = result.enrolment.registration.user  # the reason may name them: not in the trail
    record("result.recorded", result, actor=user, organizer=organizer_id,
           before=({"result": superseded.pk, "value": value(superseded), "code": superseded.code}
                   if superseded else None),
           after={"enrolment": result.enrolment_id, "value": value(result), "code": result.code,
                  "reason": without_person(result.reason, person)})


@transaction.atomic
def record_result(enrolment: Enrolment, *, user, value=None, code: str = "",
                  reason: str = "") -> Result:
    """Record a result; when one exists, the new entry supersedes it (a reason is required)."""
    enrolment = Enrolment.objects.select_for_update().select_related(
        "unit__course__organizer").get(pk=enrolment.pk)
    value, code = _check(enrolment, value, code, reason)
    result = _write(enrolment, value, code, user, reason)
    _review_after([result], user)
    return result


COLUMNS = ("email", "unit", "chance", "result")  # plus optional "registration" and "reason"
OPTIONAL_COLUMNS = ("registration", "reason")
# The column names as staff see them (the template's header, the upload page, the messages):
# in English the names the import has always read, in Dutch their Dutch. The import reads a
# column in any of the portal's languages, whatever the language of the person uploading.
COLUMN_NAMES = {
    "email": pgettext_lazy("results column", "email"),
    "unit": pgettext_lazy("results column", "unit"),
    "chance": pgettext_lazy("results column", "chance"),
    "result": pgettext_lazy("results column", "result"),
    "registration": pgettext_lazy("results column", "registration"),
    "reason": pgettext_lazy("results column", "reason"),
}


def _fold(name: str) -> str:
    """A header cell as compared: no case, accents, spaces, dashes or a stray BOM
    ("E-mail", "e mail" and "email" are one column; so are "Résultat" and "resultat")."""
    decomposed = unicodedata.normalize("NFKD", name.replace("\ufeff", "")).casefold()
    return "".join(char for char in decomposed if char.isalnum())


def column_aliases() -> dict[str, str]:
    """{folded header: column} for the column names in every language of the portal."""
    aliases = {_fold(column): column for column in COLUMN_NAMES}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            aliases.update({_fold(str(name)): column for column, name in COLUMN_NAMES.items()})
    return aliases


def column_names(columns) -> str:
    return ", ".join(str(COLUMN_NAMES[column]) for column in columns)


def template_header() -> list[str]:
    """The header of the results template, in the active language, in the import's order."""
    return [str(COLUMN_NAMES[column]) for column in (*COLUMNS, *OPTIONAL_COLUMNS)]


@dataclass
class ImportReport:
    created: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, as Excel saves "CSV" on Windows."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ResultRefused(_("This is not a CSV text file: save it as CSV (UTF-8) and upload it "
                          "again."))


# A results file of a few hundred lines is some 30 kB; beyond this the import would hold the
# whole file in memory and query the database for every line within one request.
CSV_MAX_BYTES = 1024 * 1024


def _read_rows(file) -> list[dict]:
    raw = file.read(CSV_MAX_BYTES + 1)  # never more than the limit in memory
    if len(raw) > CSV_MAX_BYTES:
        raise ResultRefused(_("The results file may be at most 1 MB."))
    text = _decode(raw) if isinstance(raw, bytes) else raw
    if "\x00" in text:  # UTF-16 ("Unicode text") or not text at all; PostgreSQL refuses NUL
        raise ResultRefused(_("This is not a CSV text file: save it as CSV (UTF-8) and upload "
                              "it again."))
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    reader.fieldnames = _columns(reader.fieldnames or [])
    missing = [name for name in COLUMNS if name not in reader.fieldnames]
    if missing:
        raise ResultRefused(_("Missing column(s): %(names)s.") % {"names": column_names(missing)})
    return list(reader)


def _columns(header: list[str]) -> list[str]:
    """The header's cells as the import's columns; an empty cell (a trailing separator) is no
    column. An unknown or repeated name is refused with the names the import reads."""
    aliases = column_aliases()
    columns: list[str] = []
    for name in header:
        if not name.strip():
            columns.append("")
            continue
        column = aliases.get(_fold(name))
        if column is None:
            raise ResultRefused(
                _("Unknown column “%(name)s”. The columns are %(required)s and, optionally, "
                  "%(optional)s (in Dutch or English).")
                % {"name": name.strip(), "required": column_names(COLUMNS),
                   "optional": column_names(OPTIONAL_COLUMNS)})
        if column in columns:
            raise ResultRefused(_("The column “%(name)s” appears twice.")
                                % {"name": COLUMN_NAMES[column]})
        columns.append(column)
    return columns


def _enrolment_for(row: dict) -> Enrolment:
    try:
        chance = int((row.get("chance") or "").strip())
    except ValueError:
        chance = 0
    if chance not in Chance.values:
        raise ResultRefused(_("The chance is 1 or 2."))
    enrolments = Enrolment.objects.select_related("unit__course__organizer").filter(
        registration__user__email__iexact=(row.get("email") or "").strip(),
        registration__status=Registration.Status.CONFIRMED,
        unit__code__iexact=(row.get("unit") or "").strip(),
        chance=chance,
    )
    registration = (row.get("registration") or "").strip()
    if registration:
        if not registration.isdigit():
            raise ResultRefused(_("The registration is a number."))
        enrolments = enrolments.filter(registration_id=int(registration))
    found = list(enrolments[:2])
    if not found:
        raise ResultRefused(_("No exam enrolment for this e-mail, unit and chance."))
    if len(found) > 1:
        raise ResultRefused(_("Several enrolments match: add the registration column."))
    return found[0]


@transaction.atomic
def import_results_csv(file, user) -> ImportReport:
    """Validate every line first; write all results in one transaction, or none at all."""
    report = ImportReport()
    try:
        rows = _read_rows(file)
    except ResultRefused as error:
        report.errors.append((1, str(error)))
        return report
    except csv.Error as error:
        report.errors.append((1, _("The file cannot be read as CSV (%(reason)s).")
                              % {"reason": error}))
        return report
    planned: list[tuple[Enrolment, Decimal | None, str, str]] = []
    seen: dict[int, int] = {}
    for number, row in enumerate(rows, start=2):  # line 1 is the header
        try:
            enrolment = _enrolment_for(row)
            if enrolment.pk in seen:
                raise ResultRefused(
                    _("Same enrolment as line %(line)s.") % {"line": seen[enrolment.pk]}
                )
            seen[enrolment.pk] = number
            reason = (row.get("reason") or "").strip()
            rules = ExamRules.for_organizer(enrolment.unit.course.organizer)
            value, code = parse_result(row.get("result") or "", rules)
            value, code = _check(enrolment, value, code, reason)
        except ResultRefused as error:
            report.errors.append((number, str(error)))
            continue
        planned.append((enrolment, value, code, reason))
    if not planned and not report.errors:
        report.errors.append((1, _("The file has no lines.")))
    if report.errors:
        return report
    written = []
    for enrolment, value, code, reason in planned:
        Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        written.append(_write(enrolment, value, code, user, reason or _("CSV upload")))
    _review_after(written, user)  # once per registration, not once per line
    report.created = len(planned)
    return report
