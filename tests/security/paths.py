"""The concrete path the matrix requests for each URL pattern, filled in from the world."""

import re

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from tests.security import world as w

ADMIN_MODEL_VIEWS = ("changelist", "add", "change", "delete", "history")


def admin_model_view(key: str) -> tuple[str, str] | None:
    """("billing.invoice", "change") for "admin:billing_invoice_change"."""
    if not key.startswith("admin:"):
        return None
    name = key.removeprefix("admin:")
    for label in w.admin_models():
        prefix = label.replace(".", "_") + "_"
        if name.startswith(prefix) and name.removeprefix(prefix) in ADMIN_MODEL_VIEWS:
            return label, name.removeprefix(prefix)
    return None


def admin_redirect_model(route: str) -> str | None:
    """The legacy `admin/<app>/<model>/<object_id>/` redirect patterns have no name."""
    match = re.fullmatch(r"admin/(\w+)/(\w+)/<path:object_id>/", route)
    return f"{match[1]}.{match[2]}" if match else None


def _object_pk(label: str) -> str:
    obj = w.admin_object(label)
    return str(obj.pk) if obj is not None else "0"


def path_for(key: str, route: str, world: dict) -> str:
    model_view = admin_model_view(key)
    if model_view:
        label, view = model_view
        if view in ("changelist", "add"):
            return reverse(key)
        return reverse(key, args=[_object_pk(label)])
    label = admin_redirect_model(route)
    if label:
        app, model = label.split(".")
        return f"/admin/{app}/{model}/{_object_pk(label)}/"
    builder = PATHS[key]
    return builder(world) if callable(builder) else builder


def _rev(name, *args):
    return lambda world: reverse(name, args=[a(world) if callable(a) else a for a in args])


def _pk(name):
    return lambda world: world[name].pk


def _view_on_site(world):
    registration = world["registration"]
    edition = registration.edition
    return reverse("admin:view_on_site",
                   args=[ContentType.objects.get_for_model(edition).pk, edition.pk])


PATHS = {
    # the catalog
    "catalog": "/",
    "course_detail": lambda world: reverse("course_detail", args=[world["course"].slug]),
    "edition_detail": lambda world: reverse("edition_detail", args=[world["edition"].code]),
    # the participant's own pages and objects
    "dashboard": "/dashboard/",
    "profile": "/profile/",
    "set_language": "/language/",
    "my_exams": "/exams/",
    "exam_second_chance": _rev("exam_second_chance", _pk("enrolment")),
    "cart": "/cart/",
    "cart_add": lambda world: reverse("cart_add", args=[world["edition"].code]),
    "cart_remove": _rev("cart_remove", _pk("item")),
    "cart_voucher": "/cart/voucher/",
    "cart_voucher_remove": "/cart/voucher/remove/",
    "checkout": "/checkout/",
    "checkout_done": _rev("checkout_done", _pk("checkout")),
    "waiting_list_join": lambda world: reverse("waiting_list_join", args=[world["full"].code]),
    "waiting_list_leave": _rev("waiting_list_leave", _pk("entry")),
    "admission_apply": lambda world: reverse("admission_apply",
                                             args=[world["selective_open"].code]),
    "application_cv": _rev("application_cv", _pk("application")),
    "registration_certificate": _rev("registration_certificate", _pk("registration")),
    "registration_cancel": _rev("registration_cancel", _pk("registration")),
    "change_answer": lambda world: reverse(
        "change_answer", args=[world["registration"].pk, world["notice"].pk]),
    "invoice_pdf": _rev("invoice_pdf", _pk("invoice")),
    "credit_note_pdf": _rev("credit_note_pdf", _pk("credit_note")),
    "certificate_download": _rev("certificate_download", _pk("certificate")),
    "certificate_verify": lambda world: reverse("certificate_verify",
                                                args=[world["certificate"].code]),
    "privacy": "/dashboard/privacy/",
    "privacy_export": "/dashboard/privacy/export/",
    "privacy_withdraw": _rev("privacy_withdraw", _pk("erasure")),
    # allauth
    "account_login": "/accounts/login/",
    "account_logout": "/accounts/logout/",
    "account_signup": "/accounts/signup/",
    "account_confirm_login_code": "/accounts/login/code/confirm/",
    "account_reauthenticate": "/accounts/reauthenticate/",
    "account_email": "/accounts/email/",
    "account_email_verification_sent": "/accounts/confirm-email/",
    "account_confirm_email": "/accounts/confirm-email/not-a-real-key/",
    "account_inactive": "/accounts/inactive/",
    "account_change_password": "/accounts/password/change/",
    "account_set_password": "/accounts/password/set/",
    "account_reset_password": "/accounts/password/reset/",
    "account_reset_password_done": "/accounts/password/reset/done/",
    "account_reset_password_from_key": "/accounts/password/reset/key/1-not-a-real-key/",
    "account_reset_password_from_key_done": "/accounts/password/reset/key/done/",
    "mfa_index": "/accounts/2fa/",
    "mfa_authenticate": "/accounts/2fa/authenticate/",
    "mfa_reauthenticate": "/accounts/2fa/reauthenticate/",
    "mfa_activate_totp": "/accounts/2fa/totp/activate/",
    "mfa_deactivate_totp": "/accounts/2fa/totp/deactivate/",
    "mfa_view_recovery_codes": "/accounts/2fa/recovery-codes/",
    "mfa_generate_recovery_codes": "/accounts/2fa/recovery-codes/generate/",
    "mfa_download_recovery_codes": "/accounts/2fa/recovery-codes/download/",
    # the admin's own pages and the custom admin views
    "admin:index": "/admin/",
    "admin:app_list": "/admin/billing/",
    "admin:login": "/admin/login/",
    "admin:logout": "/admin/logout/",
    "admin:password_change": "/admin/password_change/",
    "admin:password_change_done": "/admin/password_change/done/",
    "admin:jsi18n": "/admin/jsi18n/",
    "admin:autocomplete": "/admin/autocomplete/",
    "admin:view_on_site": _view_on_site,
    "admin/(?P<url>.*)$": "/admin/no-such-page/",
    "admin:auth_user_password_change": lambda world: reverse(
        "admin:auth_user_password_change", args=[world["registration"].user_id]),
    "admin:billing_finance_dashboard": "/admin/billing/invoice/dashboard/",
    "admin:billing_refund_exports": "/admin/billing/refund/exports/",
    "admin:billing_invoice_pdf": _rev("admin:billing_invoice_pdf", _pk("invoice")),
    "admin:billing_creditnote_pdf": _rev("admin:billing_creditnote_pdf", _pk("credit_note")),
    "admin:billing_peppol_invoice": _rev("admin:billing_peppol_invoice", _pk("company_invoice")),
    "admin:billing_peppol_credit_note": _rev("admin:billing_peppol_credit_note",
                                             _pk("company_credit_note")),
    "admin:billing_sepaexport_xml": _rev("admin:billing_sepaexport_xml", _pk("sepa")),
    "admin:billing_bankstatement_progress": _rev("admin:billing_bankstatement_progress",
                                                 _pk("statement")),
    "admin:billing_statementline_match": lambda world: reverse(
        "admin:billing_statementline_match", args=[world["statement"].lines.first().pk]),
    "admin:audit_chain": "/admin/audit/auditentry/chain/",
    "admin:certificates_certificate_issue": "/admin/certificates/certificate/issue/",
    "admin:portal_erasurerequest_confirm": _rev("admin:portal_erasurerequest_confirm",
                                                _pk("erasure")),
    "admin:exams_result_upload": "/admin/exams/result/upload/",
    "admin:exams_result_template": "/admin/exams/result/upload/template/",
    "admin:registrations_registration_late": "/admin/registrations/registration/late/",
}
