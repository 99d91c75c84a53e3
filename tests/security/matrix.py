"""The access-control matrix: what every URL pattern answers to every role (issue 10).

Answers: "200"; "login" (302 to the log-in page); "302" (another redirect: an empty cart sends
you back, a page for people signed out sends you on); "403"; "404" (someone else's object is not
found, never forbidden: that would confirm it exists); "405" (the URL only takes POST).

Roles, in the order of every row: anonymous, participant, another participant, course
administrator, finance, exam committee. Object URLs carry objects that belong to the participant
(tests/security/world.py), so "another participant" must get 404 there.

A new URL pattern has no entry here and fails test_every_url_pattern_has_an_entry_in_the_matrix:
add one, with what each role may get.
"""

ROLES = ("anonymous", "participant", "other", "course_admin", "finance", "exams")

# Pages anyone may see, signed in or not.
PUBLIC = "200 200 200 200 200 200"
# Pages for whoever is signed in (their own data only).
SIGNED_IN = "login 200 200 200 200 200"
# The participant's own objects: another participant gets 404, staff as stated.
OWN = "login 200 404 404 404 404"
# A POST-only action: signed out you are sent to log in, signed in a GET is refused.
POST_ONLY = "login 405 405 405 405 405"

URLS = {
    # -- catalog ----------------------------------------------------------------------------
    "catalog": PUBLIC,
    "course_detail": PUBLIC,
    "edition_detail": PUBLIC,
    "set_language": "405 405 405 405 405 405",
    # -- the participant's pages --------------------------------------------------------------
    "dashboard": SIGNED_IN,
    "profile": SIGNED_IN,
    "my_exams": SIGNED_IN,
    "cart": SIGNED_IN,
    "admission_apply": SIGNED_IN,
    # The participant has something in the cart; for the others the checkout sends them back.
    "checkout": "login 200 302 302 302 302",
    "cart_add": POST_ONLY,
    "cart_remove": POST_ONLY,
    "cart_voucher": POST_ONLY,
    "cart_voucher_remove": POST_ONLY,  # always the signed-in person's own cart
    "waiting_list_join": POST_ONLY,
    "waiting_list_leave": POST_ONLY,
    "change_answer": POST_ONLY,
    "exam_second_chance": POST_ONLY,
    # -- the participant's objects and downloads ----------------------------------------------
    "checkout_done": OWN,
    "registration_cancel": OWN,
    "registration_certificate": OWN,
    "invoice_pdf": OWN,
    "credit_note_pdf": OWN,
    "certificate_download": OWN,
    # Public verification of a certificate by its code (rate-limited per IP).
    "certificate_verify": PUBLIC,
    # -- personal data (issue 9): one's own export and erasure request ------------------------
    "privacy": SIGNED_IN,
    "privacy_export": SIGNED_IN,
    "privacy_withdraw": POST_ONLY,
    # The CV of an application: its applicant and the course administrators who decide on it.
    "application_cv": "login 200 404 200 404 404",
    # -- allauth: log-in, sign-up, e-mail, password, second factor -----------------------------
    "account_login": "200 302 302 302 302 302",
    "account_signup": "200 302 302 302 302 302",
    "account_logout": "302 200 200 200 200 200",
    "account_confirm_login_code": "login 302 302 302 302 302",
    "account_reauthenticate": SIGNED_IN,
    "account_email": SIGNED_IN,
    "account_email_verification_sent": PUBLIC,
    "account_confirm_email": PUBLIC,  # an unknown key: "this link is invalid"
    "account_inactive": PUBLIC,
    "account_change_password": SIGNED_IN,
    "account_set_password": "login 302 302 302 302 302",  # everyone already has one
    "account_reset_password": PUBLIC,
    "account_reset_password_done": PUBLIC,
    "account_reset_password_from_key": PUBLIC,  # an unknown key: "bad token"
    "account_reset_password_from_key_done": PUBLIC,
    "mfa_index": SIGNED_IN,
    "mfa_authenticate": "login 302 302 302 302 302",  # only halfway through a log-in
    "mfa_reauthenticate": "login 302 302 302 302 302",
    "mfa_activate_totp": "login 302 302 302 302 302",  # asks to reauthenticate first
    "mfa_deactivate_totp": "login 404 404 404 404 404",  # nobody here has TOTP yet
    "mfa_view_recovery_codes": "login 404 404 404 404 404",
    "mfa_generate_recovery_codes": "login 302 302 302 302 302",
    "mfa_download_recovery_codes": "login 404 404 404 404 404",
    # -- the admin's own pages ------------------------------------------------------------------
    "admin:index": "login login login 200 200 200",
    "admin:app_list": "login login login 200 200 200",
    "admin:login": "login 403 403 302 302 302",  # staff log in through allauth (2FA)
    "admin:logout": "302 302 302 405 405 405",
    "admin:password_change": "login login login 200 200 200",
    "admin:password_change_done": "login login login 200 200 200",
    "admin:jsi18n": "login login login 200 200 200",
    "admin:autocomplete": "login login login 403 403 403",  # without a field to complete
    "admin:view_on_site": "login login login 404 404 404",  # editions have no public URL here
    "admin/(?P<url>.*)$": "login login login 404 404 404",
    "admin:auth_user_password_change": "login login login 403 403 403",
    # -- custom admin views ---------------------------------------------------------------------
    # Finance's pages: course administrators read invoices, not finance's dashboard or documents.
    "admin:billing_finance_dashboard": "login login login 403 200 403",
    "admin:billing_invoice_pdf": "login login login 403 200 403",
    "admin:billing_creditnote_pdf": "login login login 403 200 403",
    "admin:billing_refund_exports": "login login login 403 200 403",
    "admin:billing_peppol_invoice": "login login login 403 200 403",
    "admin:billing_peppol_credit_note": "login login login 403 200 403",
    "admin:billing_sepaexport_xml": "login login login 403 200 403",
    "admin:billing_bankstatement_progress": "login login login 403 200 403",
    "admin:billing_statementline_match": "login login login 403 200 403",
    "admin:audit_chain": "login login login 403 200 403",
    "admin:certificates_certificate_issue": "login login login 200 403 403",
    "admin:portal_erasurerequest_confirm": "login login login 403 403 403",  # superusers only
    "admin:exams_result_upload": "login login login 403 403 200",
    "admin:exams_result_template": "login login login 403 403 200",
    "admin:registrations_registration_late": "login login login 200 403 403",
}

# The admin's model pages: what each staff role may do with the model, in the order course
# administrator, finance, exam committee: v(iew or change), a(dd), d(elete), "-" nothing.
# Participants and anonymous visitors are sent to log in for every admin page.
ADMIN_MODELS = {
    "account.emailaddress": ("-", "-", "-"),
    "auth.group": ("-", "-", "-"),
    "mfa.authenticator": ("-", "-", "-"),
    "django_celery_beat.clockedschedule": ("-", "-", "-"),
    "django_celery_beat.crontabschedule": ("-", "-", "-"),
    "django_celery_beat.intervalschedule": ("-", "-", "-"),
    "django_celery_beat.periodictask": ("-", "-", "-"),
    "django_celery_beat.solarschedule": ("-", "-", "-"),
    "portal.user": ("v", "v", "-"),
    "portal.outgoingemail": ("v", "v", "-"),
    "portal.workemaildomain": ("vad", "-", "-"),
    "courses.organizer": ("vad", "v", "-"),
    "courses.academicyear": ("vad", "-", "v"),
    "courses.course": ("vad", "v", "v"),
    "courses.courseunit": ("vad", "-", "v"),
    "courses.edition": ("vad", "v", "v"),
    "courses.session": ("vad", "-", "v"),
    "registrations.registrationsettings": ("v", "-", "-"),
    "registrations.voucher": ("vad", "v", "-"),
    "registrations.checkout": ("v", "v", "-"),
    "registrations.registration": ("v", "v", "v"),
    "registrations.waitinglistentry": ("v", "-", "-"),
    "registrations.admissionapplication": ("v", "-", "-"),
    "registrations.cancellationrequest": ("va", "v", "-"),
    "registrations.editionchangenotice": ("v", "-", "-"),
    "registrations.bulkjob": ("v", "v", "-"),
    "billing.invoice": ("v", "v", "-"),
    "billing.creditnote": ("-", "v", "-"),
    "billing.numberseries": ("-", "v", "-"),
    "billing.payment": ("v", "va", "-"),
    "billing.kmoproject": ("-", "vd", "-"),
    "billing.refund": ("-", "va", "-"),
    "billing.sepaexport": ("-", "v", "-"),
    "billing.bankstatement": ("-", "va", "-"),
    "billing.statementline": ("-", "v", "-"),
    "billing.vatnumbercheck": ("-", "v", "-"),
    "billing.interestrate": ("-", "vad", "-"),
    "billing.latepaymentstep": ("-", "v", "-"),
    "billing.unpaidflag": ("v", "v", "v"),
    "exams.examrules": ("va", "-", "v"),
    "exams.examperiod": ("vad", "-", "v"),
    "exams.enrolment": ("v", "-", "va"),
    "exams.attendance": ("va", "-", "va"),
    "exams.result": ("-", "-", "va"),
    "exams.committee": ("v", "-", "vad"),
    "exams.publication": ("-", "-", "va"),
    "exams.programmedecision": ("-", "-", "va"),
    "certificates.certificate": ("v", "-", "v"),  # issued and revoked through actions only
    "certificates.signatory": ("vad", "-", "-"),
    "portal.erasurerequest": ("-", "-", "-"),  # superusers only
    "audit.auditentry": ("-", "v", "-"),  # append-only: nobody adds, changes or deletes
}

_NEEDS = {"changelist": "v", "add": "a", "change": "v", "delete": "d", "history": "v"}


def _row(text: str) -> dict[str, str]:
    answers = text.split()
    assert len(answers) == len(ROLES), text
    return dict(zip(ROLES, answers, strict=True))


def _admin_rows(label: str, may: tuple[str, str, str]) -> dict[str, dict[str, str]]:
    app, model = label.split(".")
    rows = {}
    for view, letter in _NEEDS.items():
        staff = ["200" if letter in letters else "403" for letters in may]
        rows[f"admin:{app}_{model}_{view}"] = _row(" ".join(["login"] * 3 + staff))
    # The old `<id>/` address redirects every staff member to `<id>/change/`.
    rows[f"admin/{app}/{model}/<path:object_id>/"] = _row("login login login 302 302 302")
    return rows


def expected() -> dict[str, dict[str, str]]:
    rows = {key: _row(text) for key, text in URLS.items()}
    for label, may in ADMIN_MODELS.items():
        rows.update(_admin_rows(label, may))
    return rows
