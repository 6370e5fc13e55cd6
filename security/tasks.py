"""Background work of the sign-in security features."""

from __future__ import annotations

from django.utils import translation
from django_tasks import task

from accounts.forms import InvitationAwarePasswordResetForm


@task()
def send_password_reset(
    *,
    email: str,
    domain: str,
    use_https: bool,
    language: str,
    email_template_name: str,
    subject_template_name: str,
) -> None:
    """Send the password-reset link to every active account using `email` (often none).

    Run after the request has been answered, so that the answer takes as long whether or not an
    account uses the address.
    """
    form = InvitationAwarePasswordResetForm(data={"email": email})
    if not form.is_valid():
        return
    with translation.override(language):
        form.save(
            domain_override=domain,
            use_https=use_https,
            email_template_name=email_template_name,
            subject_template_name=subject_template_name,
        )
