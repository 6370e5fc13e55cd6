"""Forms of the verification page and of revoking and reissuing a certificate."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .codes import normalise_code
from .models import Certificate

REASON_MAX = Certificate._meta.get_field("revocation_reason").max_length
PUBLIC_REASON_MAX = Certificate._meta.get_field("revocation_public_reason").max_length
REISSUE_REASON_MAX = Certificate._meta.get_field("reissue_reason").max_length


class VerifyForm(forms.Form):
    """One field, forgiving: spaces, hyphens, lower case, O for 0 and I or L for 1 all work."""

    code = forms.CharField(
        label=_("Verification code"),
        max_length=64,
        help_text=_("20 letters and digits printed under the QR code, e.g. ABCD-EFGH-…"),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(
                _(
                    "A verification code is 20 letters and digits. Check what you typed "
                    "against the certificate."
                )
            )
        return code


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for revocation"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the certificate's history; staff only."),
    )
    public_reason = forms.CharField(
        label=_("Reason shown on verification"),
        max_length=PUBLIC_REASON_MAX,
        required=False,
        help_text=_(
            "Optional. Anyone who verifies the certificate reads it, and the holder is told it."
        ),
    )


class ReissueForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for reissue"),
        max_length=REISSUE_REASON_MAX,
        help_text=_(
            "For example «исправление фамилии». The new certificate prints the trainee's "
            "current name and details; the old one then verifies as replaced."
        ),
    )
