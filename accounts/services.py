"""Proof that an e-mail address is its owner's: confirming it, and changing it by a link.

An address counts as confirmed once a link sent to it has been followed: the invitation or a
password link (`email_confirm_by_password_link`), or the link that completes a change
(`email_change_confirm`). A change asked for on the profile (`email_change_request`) waits in
`pending_email`; the old address keeps working, and is told, until the link sent to the new one is
followed by the same account, signed in, within `EMAIL_CHANGE_MAX_AGE`.

Security mail goes out directly, whatever the person chose for notifications, and only once the
change that caused it is committed.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import freshness
from core.links import absolute_url

from .models import Consent, ConsentText, User

EMAIL_CHANGE_MAX_AGE = dt.timedelta(days=3)
_SALT = "accounts.email-change"


class EmailChangeError(Exception):
    """A link that cannot complete an e-mail change; the message says why, for its reader."""


def email_change_token(user: User) -> str:
    """The signed token of the link that confirms `user.pending_email`.

    It names the account and the address: a completed change, a request for another address or
    calling it off empties or replaces `pending_email`, and so retires every earlier link.
    """
    return signing.dumps({"u": user.pk, "e": user.pending_email}, salt=_SALT)


def _mail(*, to: str, subject: str, body: str) -> None:
    transaction.on_commit(
        lambda: send_mail(
            subject=subject,
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[to],
        )
    )


def email_change_request(*, user: User, new_email: str) -> None:
    """Ask to move `user` to `new_email`: a link goes there, and the current address is told.

    Nothing else changes: sign-in, notifications and imports keep using the current address. The
    answer is the same whether or not another account uses `new_email`, so that the profile
    cannot be used to find out who has an account; that is checked when the link is followed.
    """
    user.pending_email = new_email
    user.save(update_fields=["pending_email"])
    link = absolute_url(reverse("accounts:email_confirm", args=(email_change_token(user),)))
    days = EMAIL_CHANGE_MAX_AGE.days
    _mail(
        to=new_email,
        subject=_("Confirm your new e-mail address"),
        body=_(
            "Someone signed in as %(login)s at the school of social coordinators asked to use "
            "this address for their account. To confirm, sign in as %(login)s and open this link "
            "within %(days)s days:\n\n%(link)s\n\nIf it was not you, ignore this message: "
            "nothing changes."
        )
        % {"login": user.username, "link": link, "days": days},
    )
    if user.email:
        _mail(
            to=user.email,
            subject=_("A change of your e-mail address was requested"),
            body=_(
                "Someone signed in as %(login)s asked to change the e-mail of the account to "
                "%(new)s. It changes only when the link sent there is opened; until then we keep "
                "writing to this address. If it was not you, change your password now."
            )
            % {"login": user.username, "new": new_email},
        )


def email_change_cancel(*, user: User) -> None:
    """Forget a pending change; the links already sent stop working."""
    if user.pending_email:
        user.pending_email = ""
        user.save(update_fields=["pending_email"])


def email_change_check(*, user: User, token: str) -> str:
    """The new address that `token` would confirm for `user`, or EmailChangeError."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=EMAIL_CHANGE_MAX_AGE)
    except signing.SignatureExpired as error:
        raise EmailChangeError(
            _("This link has expired. Ask for the change again on your profile.")
        ) from error
    except signing.BadSignature as error:
        raise EmailChangeError(
            _("This link is not valid. Copy it from the letter whole.")
        ) from error
    if not isinstance(data, dict) or data.get("u") != user.pk:
        raise EmailChangeError(
            _("This link was sent for another account. Sign in as the account that asked.")
        )
    if not user.pending_email or data.get("e") != user.pending_email:
        raise EmailChangeError(
            _("This link is no longer valid: the change was completed, cancelled or asked again.")
        )
    return user.pending_email


def email_change_confirm(*, user: User, token: str) -> str:
    """Complete a change: the new address replaces the old one, confirmed. Returns it.

    Refused when another account uses the address by now; the reader of this message has just
    shown they own the address, so telling them reveals nothing about anyone else.
    """
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        new_email = email_change_check(user=user, token=token)
        if User.objects.filter(email__iexact=new_email).exclude(pk=user.pk).exists():
            raise EmailChangeError(
                _(
                    "Another account already uses this address, so it cannot be this account's "
                    "as well. Ask your school if the two accounts should be merged."
                )
            )
        old_email = user.email
        user.email = new_email
        user.email_confirmed = True
        user.pending_email = ""
        user.save(update_fields=["email", "email_confirmed", "pending_email"])
        if old_email:
            _mail(
                to=old_email,
                subject=_("Your e-mail address was changed"),
                body=_(
                    "The e-mail of the account %(login)s is now %(new)s; we no longer write to "
                    "this address. If it was not you, tell your school at once."
                )
                % {"login": user.username, "new": new_email},
            )
    return new_email


def email_confirm_by_password_link(*, user: User) -> None:
    """The person followed a password link (or invitation) sent to their address: it is theirs.

    The link's token covers the address it was sent to, so a link sent before a change of the
    address no longer works and cannot confirm the new one.
    """
    if user.email and not user.email_confirmed:
        User.objects.filter(pk=user.pk).update(email_confirmed=True)
        freshness.bump(freshness.trainee(user.pk))  # an update sends no post_save
        user.email_confirmed = True


def consent_give(*, user: User, text: ConsentText) -> Consent:
    """`user` consents to `text`: the consent in force before (an older version) ends now, and
    this one begins. Giving again to the same version changes nothing."""
    with transaction.atomic():
        person = User.objects.select_for_update().get(pk=user.pk)
        now = timezone.now()
        in_force = person.consents.filter(withdrawn_at__isnull=True).first()
        if in_force is not None and in_force.text_id == text.pk:
            return in_force
        if in_force is not None:
            in_force.withdrawn_at = now
            in_force.save(update_fields=["withdrawn_at"])
        consent = Consent.objects.create(user=person, text=text, given_at=now)
        _consent_state(user, person, given_at=now)
    return consent


def consent_withdraw(*, user: User) -> None:
    """`user` withdraws the consent in force, if any. What they gave only with it (SNILS, date
    of birth) goes with it."""
    with transaction.atomic():
        person = User.objects.select_for_update().get(pk=user.pk)
        person.consents.filter(withdrawn_at__isnull=True).update(withdrawn_at=timezone.now())
        person.snils, person.birth_date = "", None
        person.save(update_fields=["snils", "birth_date"])
        user.snils, user.birth_date = "", None
        _consent_state(user, person, given_at=None)


def _consent_state(user: User, person: User, *, given_at) -> None:
    """The account's own flag, kept in step with its consents for the exports that ask it."""
    person.data_consent, person.data_consent_at = given_at is not None, given_at
    person.save(update_fields=["data_consent", "data_consent_at"])
    user.data_consent, user.data_consent_at = person.data_consent, person.data_consent_at
