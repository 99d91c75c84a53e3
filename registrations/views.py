"""Participant pages of the registration flow; thin: each POST calls one service."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from billing.vat import enterprise_number_only
from billing.vies import lookup_vat
from courses.models import Edition
from registrations import errors
from registrations.forms import AdmissionApplicationForm, CheckoutForm, VoucherForm
from registrations.models import AdmissionApplication, Cart, Checkout
from registrations.services import admission, waiting_list
from registrations.services import cart as cart_service
from registrations.services.checkout import BillingDetails, checkout, max_instalments

VIES_SESSION_KEY = "vies_lookups"


def _edition(code):
    return get_object_or_404(Edition.objects.published(), code=code)


@login_required
@require_POST
def add_to_cart(request, code):
    edition = _edition(code)
    try:
        cart_service.add_to_cart(user=request.user, edition_id=edition.pk)
    except errors.EditionFull as error:
        messages.warning(request, error.message)
        return redirect("edition_detail", code=code)
    except errors.RegistrationError as error:
        messages.error(request, error.message)
        return redirect("edition_detail", code=code)
    messages.success(request, _("The course is in your cart; its seat is held for you."))
    return redirect("cart")


@login_required
@require_POST
def remove_from_cart(request, item_id):
    cart_service.remove_from_cart(user=request.user, item_id=item_id)
    return redirect("cart")


@login_required
@require_POST
def apply_voucher(request):
    form = VoucherForm(request.POST)
    if form.is_valid():
        try:
            cart_service.apply_voucher(user=request.user, code=form.cleaned_data["code"])
            messages.success(request, _("The voucher has been applied."))
        except errors.RegistrationError as error:
            messages.error(request, error.message)
    else:  # empty, too long, a NUL character: say so rather than redirect in silence
        messages.error(request, errors.VoucherInvalid.message)
    return redirect("cart")


@login_required
@require_POST
def remove_voucher(request):
    cart_service.remove_voucher(user=request.user)
    messages.success(request, _("The voucher has been removed."))
    return redirect("cart")


@login_required
def cart(request):
    user_cart = Cart.objects.filter(user=request.user).select_related("voucher").first()
    summary = cart_service.summarize(user_cart)
    return render(
        request,
        "registrations/cart.html",
        {"cart": user_cart, "summary": summary, "voucher_form": VoucherForm()},
    )


@login_required
def checkout_page(request):
    user_cart = Cart.objects.filter(user=request.user).select_related("voucher").first()
    summary = cart_service.summarize(user_cart)
    if request.method == "POST":
        # A second click on "confirm" lands on the first checkout's page (idempotent).
        token = request.POST.get("token")
        done = _is_uuid(token) and Checkout.objects.filter(user=request.user, token=token).first()
        if done:
            return redirect("checkout_done", pk=done.pk)
    if not summary.lines:
        messages.info(request, errors.EmptyCart.message)
        return redirect("cart")
    parts = max_instalments([line.item.edition for line in summary.lines])
    options = {"max_instalments": parts,
               "kmo_possible": all(line.item.edition.kmo_eligible for line in summary.lines)}
    if request.method != "POST":
        form = CheckoutForm(initial={"token": user_cart.checkout_token}, **options)
        return _render_checkout(request, form, summary)

    data = request.POST.copy()
    form = CheckoutForm(data, **options)
    if not form.is_valid():
        return _render_checkout(request, form, summary)
    details = form.cleaned_data
    company = details["invoice_to"] == Checkout.InvoiceTo.COMPANY
    lookup = _vies(request, details["vat_number"]) if company else None
    if company:
        if enterprise_number_only(details["vat_number"], lookup["status"]):
            lookup = {**lookup, "enterprise_only": True}  # invoiced under that number
        elif lookup["status"] == "invalid":
            form.add_error("vat_number", _("VIES reports that this VAT number is not active."))
            return _render_checkout(request, form, summary, lookup)
        # Fill in what VIES knows for the person to confirm; never overwrite their own typing.
        details["company_name"] = details["company_name"] or lookup["name"]
        details["company_address"] = details["company_address"] or lookup["address"]
        if "lookup" in request.POST or not details["company_name"]:
            for field in ("vat_number", "company_name", "company_address"):
                data[field] = details[field]
            form = CheckoutForm(data, **options)
            form.is_valid()
            if "lookup" not in request.POST:
                form.add_error("company_name", _("Give the company's name."))
            return _render_checkout(request, form, summary, lookup)
    billing = BillingDetails(
        invoice_to=details["invoice_to"],
        vat_number=details["vat_number"] if company else "",
        vat_status=lookup["status"] if company else "",
        company_name=details["company_name"] if company else "",
        company_address=details["company_address"] if company else "",
        third_party_name=details["third_party_name"],
        third_party_address=details["third_party_address"],
        third_party_vat_number=details["third_party_vat_number"],
        kmo_portefeuille=details["kmo_portefeuille"],
        instalments=details["instalments"] or 1,
    )
    try:
        if details["total"] is None:  # a confirm must carry the total it showed
            raise errors.PriceChanged()
        record = checkout(user=request.user, token=details["token"], billing=billing,
                          expected_total=details["total"])
    except errors.PriceChanged as error:
        # Nothing was saved: the page again, with the new prices to confirm (or not).
        form.add_error(None, error.message)
        return _render_checkout(request, form, cart_service.summarize(user_cart), lookup)
    except errors.KmoNotPossible as error:
        form.add_error("kmo_portefeuille", error.message)
        return _render_checkout(request, form, summary, lookup)
    except errors.RegistrationError as error:
        messages.error(request, error.message)
        return redirect("cart")
    return redirect("checkout_done", pk=record.pk)


def _is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _vies(request, number: str) -> dict:
    """One VIES question per number per session: the look-up and the confirm reuse it."""
    answers = request.session.get(VIES_SESSION_KEY, {})
    if number not in answers or answers[number]["status"] == "unverified":
        result = lookup_vat(number)
        answers[number] = {"status": result.status, "name": result.name,
                           "address": result.address}
        request.session[VIES_SESSION_KEY] = answers
    return answers[number]


def _render_checkout(request, form, summary, lookup=None):
    return render(
        request,
        "registrations/checkout.html",
        {"form": form, "summary": summary, "lookup": lookup},
    )


@login_required
def checkout_done(request, pk):
    from billing.pdf import amount_to_transfer, instalments_to_transfer

    record = get_object_or_404(Checkout, pk=pk, user=request.user)
    invoices = list(record.invoices.prefetch_related("instalments"))
    for invoice in invoices:
        # Paid in parts: each part is a transfer of its own (as on the dashboard and the PDF).
        invoice.schedule = instalments_to_transfer(invoice)
        # In one go: what to transfer, where and by when, as the PDF says (only the VAT with the
        # KMO-portefeuille, nothing for a free training).
        invoice.to_transfer = amount_to_transfer(invoice)
    return render(
        request,
        "registrations/checkout_done.html",
        {
            "checkout": record,
            "registrations": record.registrations.select_related("edition__course"),
            "invoices": invoices,
        },
    )


@login_required
@require_POST
def join_waiting_list(request, code):
    edition = _edition(code)
    try:
        waiting_list.join_waiting_list(user=request.user, edition_id=edition.pk)
        messages.success(request, _("You are on the waiting list. We e-mail you when a seat "
                                    "becomes free."))
    except errors.RegistrationError as error:
        messages.error(request, error.message)
    return redirect("edition_detail", code=code)


@login_required
@require_POST
def leave_waiting_list(request, entry_id):
    waiting_list.leave_waiting_list(user=request.user, entry_id=entry_id)
    return redirect("dashboard")


# The application's text fields (3 x 5,000 characters, up to 4 bytes each) and the multipart
# framing, on top of the largest CV.
APPLY_MAX_BODY_BYTES = admission.CV_MAX_BYTES + 64 * 1024


@login_required
@csrf_exempt  # the CSRF check reads the body; `_apply` checks it once the size is known
def apply(request, code):
    """Refuse a body larger than the largest CV before reading it (a 5 MB check after a 2 GB
    upload would come too late): the same page, with the message, and nothing read."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if request.method == "POST" and length > APPLY_MAX_BODY_BYTES:
        edition = _edition(code)
        messages.error(request, admission.CV_TOO_LARGE)
        return render(request, "registrations/apply.html",
                      {"edition": edition, "form": AdmissionApplicationForm()}, status=413)
    return _apply(request, code)


# portal.request_guard leaves the refusal to `apply`: its limit is lower, its message the CV's.
apply.limits_its_own_body = True


@csrf_protect
def _apply(request, code):
    edition = _edition(code)
    if request.method != "POST":
        refusal = admission.application_refusal(request.user, edition, timezone.localdate())
        if refusal:
            messages.error(request, refusal)
            return redirect("edition_detail", code=code)
    form = AdmissionApplicationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            admission.apply_for_admission(
                user=request.user, edition_id=edition.pk, cv=form.cleaned_data["cv"],
                **{k: form.cleaned_data[k] for k in ("motivation", "prior_knowledge",
                                                     "experience")},
            )
        except errors.RegistrationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your application has been sent. You will hear from "
                                        "us by e-mail."))
            return redirect("dashboard")
    return render(request, "registrations/apply.html", {"edition": edition, "form": form})


@login_required
def application_cv(request, pk):
    """The CV is private: only its author and staff who may view applications get it.

    Staff means the staff flag too: only then does the second factor apply (portal/middleware.py),
    so a role's group given to an account without the flag opens nothing here."""
    application = get_object_or_404(AdmissionApplication, pk=pk)
    allowed = application.user_id == request.user.pk or (
        request.user.is_staff and request.user.has_perm("registrations.view_admissionapplication")
    )
    if not allowed or not application.cv:
        raise Http404
    return FileResponse(
        application.cv.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=application.cv_name or "cv.pdf",
    )
