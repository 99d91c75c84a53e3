"""What can go wrong when registering, each with a message in the user's language."""

from django.utils.translation import gettext_lazy as _


class RegistrationError(Exception):
    message = _("This registration is not possible.")

    def __init__(self, message=None):
        if message is not None:
            self.message = message
        super().__init__(str(self.message))


class RegistrationClosed(RegistrationError):
    message = _("Registration for this edition is closed.")


class EditionFull(RegistrationError):
    message = _("This edition is full. You can join the waiting list.")


class AlreadyRegistered(RegistrationError):
    message = _("You are already registered for this edition.")


class AdmissionRequired(RegistrationError):
    message = _("This edition requires admission: apply first and wait for the decision.")


class CartExpired(RegistrationError):
    message = _("Your cart expired and the seat is no longer available. Please try again.")


class EmptyCart(RegistrationError):
    message = _("Your cart is empty.")


class StaleCheckout(RegistrationError):
    message = _("Your cart changed in the meantime. Please check it and confirm again.")


class VoucherInvalid(RegistrationError):
    message = _("This voucher code is not valid.")


class VoucherUsedUp(RegistrationError):
    message = _("This voucher has been used up.")


class PriceChanged(RegistrationError):
    message = _("The price changed in the meantime. Check the new total and confirm again.")


class KmoNotPossible(RegistrationError):
    message = _("The KMO-portefeuille is not possible for this registration.")


class NotOnWaitingList(RegistrationError):
    message = _("There is no open place on the waiting list for you.")


class SeatsStillFree(RegistrationError):
    message = _("Seats are still free: you can register right away.")


class InstalmentsNotAllowed(RegistrationError):
    message = _("Payment in instalments is not possible for (all) these courses.")
