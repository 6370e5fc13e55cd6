"""What the audit trail records, on top of django-auditlog's registry.

Changes are recorded for the models that hold a trainee's personal data, grades, attendance,
enrolment and certificates, each entry filed under the trainee it concerns (`subject_of`, in
`additional_data`) so that an administrator can ask «who touched this person's data». The trail
must not become a second copy of that data, which an erasure could not reach (its rows are never
rewritten): for personal fields it records *that* a field changed, never the values
(`hidden`), and an entry names its object by kind and number, not by its `str()`.
"""

from __future__ import annotations

from auditlog.models import LogEntry
from auditlog.receivers import log_access
from auditlog.registry import auditlog
from auditlog.signals import accessed
from django.db.models.signals import pre_save

from .middleware import current

# The fields that say who a person is: changes to them are recorded without their values.
PERSONAL = [
    "username",
    "first_name",
    "last_name",
    "patronymic",
    "email",
    "pending_email",
    "phone",
    "organisation",
    "position",
    "snils",
    "birth_date",
]
HIDDEN = "•••"


def hidden(value: str) -> str:
    """django-auditlog's mask for personal fields: the whole value, not half of it."""
    return HIDDEN


def subject_of(instance) -> dict[str, int]:
    """What an entry about `instance` is filed under: the trainee, or the enrolment, cohort or
    case work that leads to them (resolved when the trail is searched, so that writing an
    entry reads nothing more)."""
    from accounts.models import User
    from assessments.models import CaseGrade
    from certificates.models import Certificate
    from courses.models import Cohort, Enrolment
    from schedule.models import Attendance

    if isinstance(instance, User):
        return {"trainee": instance.pk}
    if isinstance(instance, Enrolment | Certificate):
        return {
            "trainee": instance.trainee_id,
            "cohort": instance.cohort_id,
            "enrolment": instance.enrolment_id
            if isinstance(instance, Certificate)
            else instance.pk,
        }
    if isinstance(instance, Attendance):
        return {"enrolment": instance.enrolment_id}
    if isinstance(instance, CaseGrade):
        return {"submission": instance.submission_id}
    if isinstance(instance, Cohort):
        return {"cohort": instance.pk}
    return {}


def _register(model, **options) -> None:
    # django-auditlog asks the instance for `get_additional_data()`.
    model.get_additional_data = subject_of
    auditlog.register(model, mask_callable="audit.registration.hidden", **options)


def _complete(sender, instance: LogEntry, raw=False, **kwargs) -> None:
    """Before an entry is written: it names its object as «enrolment #12», never by what its
    `str()` says (a name); its actor and address come from the request (`audit.middleware`),
    and the actor is kept as an account, with its number in place of django-auditlog's copy of
    the e-mail (so that the entry still says who acted if the account is deleted)."""
    if raw or not instance._state.adding:
        return
    instance.object_repr = f"{instance.content_type.model} #{instance.object_pk}"
    context = current()
    if context is not None:
        user, remote_addr = context
        if instance.actor_id is None and user is not None and user.is_authenticated:
            instance.actor = user
        if instance.remote_addr is None:
            instance.remote_addr = remote_addr
    instance.actor_email = f"#{instance.actor_id}" if instance.actor_id else None


def register() -> None:
    from accounts.models import User
    from assessments.models import CaseGrade
    from certificates.models import Certificate
    from courses.models import Cohort, Enrolment
    from schedule.models import Attendance

    # A cohort is recorded as viewed (its gradebook), never as changed.
    Cohort.get_additional_data = subject_of
    accessed.connect(log_access, sender=Cohort, dispatch_uid="audit.cohort_viewed")
    _register(
        User,
        include_fields=[
            *PERSONAL,
            "region",
            "is_active",
            "data_consent",
            "data_consent_at",
            "email_confirmed",
            "email_notifications",
        ],
        mask_fields=PERSONAL,
        m2m_fields={"groups"},
    )
    _register(Enrolment)
    _register(Attendance)
    _register(CaseGrade)
    _register(
        Certificate,
        exclude_fields=["pdf", "pdf_sha256"],
        mask_fields=["last_name", "first_name", "patronymic"],
    )
    pre_save.connect(_complete, sender=LogEntry, dispatch_uid="audit.complete")
