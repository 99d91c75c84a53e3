"""Fuzzing the staff uploads through the admin: bank statements (finance; the import runs
after the commit) and exam results as CSV (exam committee). Damaged, re-encoded or random
files get a message in words, never a server error, and nothing of a refused file is saved."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from billing.models import BankStatement, Payment, StatementLine
from exams.models import Result
from tests.billing.statement_files import Move, camt053
from tests.billing.test_statements_import import upload
from tests.exams.conftest import periods, programme, registration  # noqa: F401 (fixtures)
from tests.fuzz.strategies import INPUT, SLOW, TYPED
from tests.fuzz.test_parsers import mutated_statement

pytestmark = pytest.mark.django_db

PYTHON_WORDS = ("Traceback", "codec can't", "object has no attribute", "NoneType",
                "invalid literal", "Errno", "0x00")


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def as_finance(client, finance_user):
    client.force_login(finance_user)
    client.cookies["django_language"] = "en"
    return client


FILE_NAMES = st.one_of(
    TYPED.filter(lambda name: name.strip(". /\\")),
    st.sampled_from(["afschrift.xml", "../../x.cod", "C:\\bank\\coda.BC2", "a\x00b.xml",
                     "ünï 銀行.xml", "x" * 300]),
)


@SLOW
@given(data=mutated_statement(), name=FILE_NAMES)
@example(data=b"", name="empty.xml")
@example(data=b"%PDF-1.4 not a statement", name="statement.pdf")
def test_a_damaged_statement_upload_ends_done_or_failed_with_a_message(
        as_finance, django_capture_on_commit_callbacks, data, name):
    before = BankStatement.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = as_finance.post(reverse("admin:billing_bankstatement_add"),
                                   {"file": SimpleUploadedFile(name, data)})
    assert response.status_code in (200, 302)
    if response.status_code == 200:  # refused by the form (empty, too big): nothing stored
        assert response.context["adminform"].form.errors
        assert BankStatement.objects.count() == before
        return
    statement = BankStatement.objects.latest("pk")
    assert statement.status in (BankStatement.Status.DONE, BankStatement.Status.FAILED)
    assert "/" not in statement.original_name or statement.original_name == name[:200]
    if statement.status == BankStatement.Status.FAILED:
        assert statement.error and not any(word in statement.error for word in PYTHON_WORDS)
        assert not StatementLine.objects.filter(statement=statement).exists()
    else:
        assert statement.lines_total == statement.lines.count()
    page = as_finance.get(reverse("admin:billing_bankstatement_change", args=[statement.pk]))
    assert page.status_code == 200


# --- Exam results as CSV ----------------------------------------------------------------------

GOOD_CSV = "email;unit;chance;result\nparticipant@example.org;DATA1;1;14,5\n"


@st.composite
def mutated_csv(draw) -> bytes:
    text = draw(st.sampled_from([
        GOOD_CSV, GOOD_CSV.replace(";", ","), "email,unit,chance,result,reason,registration\n"
        "participant@example.org,DATA2,1,V,,1\n", "email;unit;chance;result\n"]))
    kind = draw(st.sampled_from(["text", "cell", "bytes", "encoding", "newline", "truncate"]))
    if kind == "text":
        text += draw(TYPED)
    elif kind == "cell":
        row = text.rstrip("\n").split("\n")
        cells = row[-1].split(";" if ";" in row[-1] else ",")
        cells[draw(st.integers(0, len(cells) - 1))] = draw(st.one_of(
            TYPED, st.sampled_from(["\x00", "20,0001", "-1", "21", "1e3", "NaN", "ｘ", "99" * 40,
                                    "2147483648", "9" * 30, "=HYPERLINK(\"x\")"])))
        row[-1] = (";" if ";" in row[-1] else ",").join(cells)
        text = "\n".join(row) + "\n"
    raw = text.encode("utf-8")
    if kind == "bytes":
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.binary(min_size=1, max_size=20)) + raw[at:]
    elif kind == "encoding":
        raw = text.encode(draw(st.sampled_from(["utf-16", "cp1252", "utf-8-sig", "latin-1"])),
                          errors="replace")
    elif kind == "newline":
        raw = raw.replace(b"\n", draw(st.sampled_from([b"\r\n", b"\r", b"\x85"])))
    elif kind == "truncate":
        raw = raw[:draw(st.integers(0, len(raw)))]
    return raw


@SLOW
@given(data=mutated_csv())
@example(data=b"")
@example(data="email;unit;chance;result\nparticipant@example.org;DATA1;1;12\n".encode("utf-16"))
@example(data=b"email;unit;chance;result\nparticipant@example.org\x00;DATA1;1;12\n")
@example(data=b"email;unit;chance;result\nparticip\xe9nt@example.org;DATA1;1;12\n")
def test_a_results_csv_imports_all_or_nothing_with_a_message_per_line(
        client, exam_committee_member, registration, data):  # noqa: F811 (a fixture)
    client.force_login(exam_committee_member)
    client.cookies["django_language"] = "en"
    before = Result.objects.count()
    response = client.post(reverse("admin:exams_result_upload"),
                           {"file": SimpleUploadedFile("results.csv", data)})
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert Result.objects.count() > before
        return
    assert Result.objects.count() == before  # nothing imported
    report = response.context["report"]
    form = response.context["form"]
    assert (report and report.errors) or form.errors
    for _line, message in (report.errors if report else []):
        assert message and not any(word in message for word in PYTHON_WORDS), message


# --- Finance matches a statement line by hand -------------------------------------------------


@SLOW
@given(text=st.one_of(INPUT, st.sampled_from(["+++000/0000/00097+++", "2026-000001",
                                              "***123/4567/89002***", "2026-999999"])))
def test_matching_by_hand_answers_with_a_message(as_finance, text):
    line = StatementLine.objects.first()
    if line is None:
        upload(camt053([Move("12.00", text="no reference at all")]))
        line = StatementLine.objects.get()
    payments = Payment.objects.count()
    response = as_finance.post(reverse("admin:billing_statementline_match", args=[line.pk]),
                               {"invoice": text})
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert response.context["form"].errors
        assert Payment.objects.count() == payments


# --- One result in the admin (exam committee) -------------------------------------------------


@SLOW
@given(value=st.one_of(INPUT, st.sampled_from(["14,5", "14.5", "20.01", "-0", "1e1", "NaN",
                                               "Infinity", "12.345", "99999999999"])),
       code=INPUT, reason=INPUT)
@example(value="14", code="", reason="")
def test_a_result_in_the_admin_is_recorded_or_refused_with_a_message(
        client, exam_committee_member, registration, value, code, reason):  # noqa: F811
    client.force_login(exam_committee_member)
    client.cookies["django_language"] = "en"
    enrolment = registration.exam_enrolments.get(unit__code="DATA1", chance=1)
    before = Result.objects.count()
    response = client.post(reverse("admin:exams_result_add"), {
        "enrolment": enrolment.pk, "value": value, "code": code, "reason": reason})
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 200:
        assert response.context["adminform"].form.errors
        assert Result.objects.count() == before
    else:
        assert Result.objects.count() == before + 1
