"""The password-reset form whose answer is the same for known and unknown addresses."""

from __future__ import annotations

from django.utils import translation

from accounts.forms import InvitationAwarePasswordResetForm

from .tasks import send_password_reset


class DeferredPasswordResetForm(InvitationAwarePasswordResetForm):
    """Hands the sending to a background task instead of looking the address up in the request.

    Django's form sends the mail inside the request only when an account matches, which makes
    the answer slower for known addresses; here every valid request does the same work: enqueue.
    """

    def save(
        self,
        *,
        request,
        use_https: bool = False,
        email_template_name: str = "registration/password_reset_email.html",
        subject_template_name: str = "registration/password_reset_subject.txt",
        **unused,
    ) -> None:
        send_password_reset.enqueue(
            email=self.cleaned_data["email"],
            domain=request.get_host(),
            use_https=use_https,
            language=translation.get_language(),
            email_template_name=email_template_name,
            subject_template_name=subject_template_name,
        )
