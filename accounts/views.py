"""A person's own account: their profile, and the links that prove an address is theirs."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .forms import ProfileForm
from .models import ConsentText
from .services import (
    EmailChangeError,
    consent_give,
    consent_withdraw,
    email_change_cancel,
    email_change_check,
    email_change_confirm,
    email_change_request,
    email_confirm_by_password_link,
)


@login_required
def profile(request):
    """A person's own data: what the school holds, kept up to date by them, and their consent."""
    data = request.POST if request.method == "POST" else None  # an empty POST is still one
    text = ConsentText.current()
    form = ProfileForm(data, instance=request.user, consent_text=text)
    if form.is_bound and form.is_valid():
        with transaction.atomic():
            form.save()
            if form.consent_change is True:
                consent_give(user=request.user, text=text)
            elif form.consent_change is False:
                consent_withdraw(user=request.user)
            if form.new_email:
                email_change_request(user=request.user, new_email=form.new_email)
                messages.info(
                    request,
                    _(
                        "We sent a link to %(new)s. Your e-mail changes when you open it; until "
                        "then we keep writing to %(old)s."
                    )
                    % {"new": form.new_email, "old": request.user.email},
                )
            elif request.user.pending_email:
                # Typing the current address back is how a pending change is called off.
                email_change_cancel(user=request.user)
        messages.success(request, _("Your profile is saved."))
        return redirect("accounts:profile")
    consents = list(request.user.consents.select_related("text"))
    in_force = next((consent for consent in consents if consent.withdrawn_at is None), None)
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "consent_text": text,
            "consents": consents,
            "in_force": in_force,
            "newer_text": text if in_force and text and in_force.text_id != text.pk else None,
        },
    )


@login_required
@require_POST
def consent_renew(request):
    """Agreeing to the version of the consent text now in force, after an older one."""
    text = ConsentText.current()
    if text is None or not request.user.data_consent:
        messages.error(request, _("There is no consent to renew."))
    else:
        consent_give(user=request.user, text=text)
        messages.success(
            request, _("You agreed to version %(version)s.") % {"version": text.version}
        )
    return redirect("accounts:profile")


@login_required
def email_confirm(request, token: str):
    """The link sent to a new address: shows the change, and makes it on «Confirm»."""
    try:
        new_email = email_change_check(user=request.user, token=token)
        if request.method == "POST":
            email_change_confirm(user=request.user, token=token)
            messages.success(request, _("Your e-mail is now %(email)s.") % {"email": new_email})
            return redirect("accounts:profile")
    except EmailChangeError as error:
        return render(request, "accounts/email_confirm.html", {"error": str(error)}, status=400)
    return render(request, "accounts/email_confirm.html", {"new_email": new_email})


class PasswordSetView(auth_views.PasswordResetConfirmView):
    """Django's password link; following it also proves the address it was sent to."""

    def form_valid(self, form):
        response = super().form_valid(form)
        email_confirm_by_password_link(user=form.user)
        return response
