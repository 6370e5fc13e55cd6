"""Erasing a person's data at their request (152-ФЗ, art. 21): nothing left that says who they
were, while every figure that counted them still does.

The account stays, emptied and closed (`User.erased_at`), so that their enrolments, marks,
attempts and grades keep counting, anonymous, in every gradebook, statistic and dashboard. What
they wrote (case work answers and files, session comments), what others wrote about them
(grading comments, reasons of withdrawal), what was sent to them (notifications) and the
copies of their name (on certificates, in import previews) go. Each certificate of theirs is
annulled: verification says «аннулировано по заявлению владельца» without a name, and its PDF
is deleted. The audit trail keeps its entries — they name no one but by account — and records
the erasure itself.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from assessments.models import CaseGrade, CaseSubmission, QuizAttempt, SubmissionFile
from certificates.models import Certificate
from courses.models import Enrolment, EnrolmentEvent, EnrolmentImport
from notifications.models import Notification
from schedule.models import CalendarToken, SessionFeedback

from .models import Erasure

logger = logging.getLogger(__name__)

# What a certificate's verification says once its holder's data is erased.
ANNULLED_REASON = "аннулировано по заявлению владельца"


class ErasureRefused(Exception):
    """Why this account cannot be erased, in words for the administrator."""


def erasure_refusal(person: User) -> str | None:
    """Why `person` cannot be erased here, or None when they can."""
    if person.erased_at is not None:
        return _("This person's data has already been erased.")
    if person.is_superuser or person.is_staff:
        return _("An administrator's account is not erased here: take away its rights first.")
    roles = set(person.groups.values_list("name", flat=True))
    if roles - {Role.TRAINEE}:
        return _(
            "This account has a role besides «trainee»: take the role away first, so that "
            "nobody's work is left without its author unnoticed."
        )
    return None


def erase(*, person: User, by: User, requested_on: dt.date, reference: str = "") -> Erasure:
    """Erase `person`'s data (see the module). Refused, changing nothing, for the reasons of
    `erasure_refusal`; the files go once the database has committed."""
    with transaction.atomic():
        person = User.objects.select_for_update().get(pk=person.pk)
        refusal = erasure_refusal(person)
        if refusal:
            raise ErasureRefused(refusal)
        now = timezone.now()
        enrolments = Enrolment.objects.filter(trainee=person)
        submissions = CaseSubmission.objects.filter(enrolment__in=enrolments)
        files = list(SubmissionFile.objects.filter(submission__in=submissions))
        certificates = list(Certificate.objects.filter(trainee=person))
        removed = {
            "case_files": len(files),
            "case_answers": submissions.exclude(answers={}).update(answers={}),
            "quiz_answers": QuizAttempt.objects.filter(enrolment__in=enrolments)
            .exclude(answers={})
            .update(answers={}),
            "grading_comments": CaseGrade.objects.filter(submission__in=submissions)
            .exclude(comment="")
            .update(comment=""),
            "session_comments": SessionFeedback.objects.filter(enrolment__in=enrolments)
            .exclude(comment="")
            .update(comment=""),
            "withdrawal_reasons": enrolments.exclude(withdrawal_reason="").update(
                withdrawal_reason=""
            )
            + EnrolmentEvent.objects.filter(enrolment__in=enrolments)
            .exclude(reason="")
            .update(reason=""),
            "notifications": Notification.objects.filter(recipient=person).delete()[0],
            "import_rows": _remove_from_imports(person),
            "certificates_annulled": len(certificates),
            "consents": person.consents.count(),
        }
        SubmissionFile.objects.filter(pk__in=[file.pk for file in files]).delete()
        CalendarToken.objects.filter(user=person).delete()
        pdfs = [certificate.pdf.name for certificate in certificates if certificate.pdf]
        for certificate in certificates:
            _annul(certificate, at=now, by=by)
        _empty_account(person, at=now)
        erasure = Erasure.objects.create(
            person=person,
            requested_on=requested_on,
            reference=reference,
            erased_by=by,
            removed=removed,
        )
        storage_files = [(file.file.storage, file.file.name) for file in files]
        storage_files += [(Certificate._meta.get_field("pdf").storage, name) for name in pdfs]
        transaction.on_commit(lambda: _delete_files(storage_files))
    return erasure


def _annul(certificate: Certificate, *, at, by: User) -> None:
    certificate.last_name = certificate.first_name = certificate.patronymic = ""
    certificate.pdf = ""
    certificate.pdf_sha256 = ""
    certificate.annulled_at = at
    if certificate.revoked_at is None:
        certificate.revoked_at, certificate.revoked_by = at, by
    certificate.revocation_reason = certificate.revocation_public_reason = ANNULLED_REASON
    certificate.save()


def _empty_account(person: User, *, at) -> None:
    person.username = f"erased-{person.pk}"
    person.first_name = person.last_name = person.patronymic = ""
    person.email = person.pending_email = person.phone = ""
    person.organisation = person.position = person.snils = ""
    person.birth_date = None
    person.email_confirmed = person.email_notifications = False
    person.data_consent, person.data_consent_at = False, None
    person.is_active = False
    person.set_unusable_password()
    person.erased_at = at
    person.save()
    person.consents.filter(withdrawn_at__isnull=True).update(withdrawn_at=at)
    person.groups.set(Group.objects.filter(name=Role.TRAINEE))


def _remove_from_imports(person: User) -> int:
    """Rows naming them in spreadsheets still kept (previews, imports applied): removed."""
    removed = 0
    if not person.email:
        return 0
    email = person.email.lower()
    for item in EnrolmentImport.objects.select_for_update().exclude(rows=[]):
        kept = [row for row in item.rows if str(row.get("email", "")).lower() != email]
        if len(kept) != len(item.rows):
            removed += len(item.rows) - len(kept)
            item.rows = kept
            item.save(update_fields=["rows"])
    return removed


def _delete_files(files) -> None:
    for storage, name in files:
        try:
            storage.delete(name)
        except OSError:
            # Left for an operator: the database no longer names the file, nothing serves it.
            logger.error("erasure: could not delete %s", name)
