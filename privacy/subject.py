"""Everything the school holds about one person, as the person may receive it (152-ФЗ, art. 14).

`held_about` gathers it as plain data (the «Мои данные» page shows it; the archive carries it as
JSON), `files_of` names their files (case work, certificates), and `write_archive` puts both in
one ZIP. What the person may not see yet stays out, as it does on their pages: a case grade
before it is released, a quiz's marks before its review opens. The audit trail says when their
data was viewed or changed and what kind, not by which employee (art. 14 excludes the
operator's own staff from what is disclosed).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
from pathlib import PurePosixPath

from auditlog.models import LogEntry
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from accounts.models import User
from assessments.models import CaseSubmission, QuizAttempt
from assessments.selectors import attempt_review, review_allowed
from audit.selectors import ACTIONS, concerning
from certificates.models import Certificate
from certificates.selectors import certificate_status
from core.links import absolute_url
from courses.models import ActivityCompletion, Enrolment
from notifications.models import Notification
from schedule.models import Attendance, SessionFeedback

FORMAT = 1  # the archive's layout; raised when a key is renamed or removed


def _plain(value):
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)  # a Decimal, a lazy translation


def _account(person: User) -> dict:
    return {
        "login": person.username,
        "last_name": person.last_name,
        "first_name": person.first_name,
        "patronymic": person.patronymic,
        "email": person.email,
        "email_confirmed": person.email_confirmed,
        "pending_email": person.pending_email,
        "phone": person.phone,
        "organisation": person.organisation,
        "position": person.position,
        "region": person.region.name,
        "snils": person.snils,
        "birth_date": person.birth_date,
        "email_notifications": person.email_notifications,
        "joined": person.date_joined,
        "last_sign_in": person.last_login,
        "roles": sorted(person.groups.values_list("name", flat=True)),
    }


def _consents(person: User) -> list[dict]:
    return [
        {
            "version": consent.text.version,
            "purpose": consent.text.purpose,
            "given_at": consent.given_at,
            "withdrawn_at": consent.withdrawn_at,
        }
        for consent in person.consents.select_related("text")
    ]


def _enrolments(person: User) -> list[dict]:
    enrolments = (
        Enrolment.objects.filter(trainee=person)
        .select_related("cohort__region", "program")
        .prefetch_related("events")
        .order_by("pk")
    )
    completions: dict[int, list[dict]] = {}
    for completion in (
        ActivityCompletion.objects.filter(enrolment__trainee=person)
        .select_related("activity")
        .order_by("completed_at")
    ):
        completions.setdefault(completion.enrolment_id, []).append(
            {
                "activity": completion.activity.title,
                "completed_at": completion.completed_at,
                "how": completion.get_source_display(),
            }
        )
    return [
        {
            "programme": enrolment.program.title,
            "cohort": enrolment.cohort.name,
            "region": enrolment.cohort.region.name,
            "status": enrolment.get_status_display(),
            "enrolled_on": enrolment.enrolled_on,
            "completed_on": enrolment.completed_on,
            "withdrawn_on": enrolment.withdrawn_on,
            "withdrawal_reason": enrolment.withdrawal_reason,
            "events": [
                {"what": event.get_kind_display(), "on": event.on, "reason": event.reason}
                for event in enrolment.events.all()
            ],
            "completed_activities": completions.get(enrolment.pk, []),
        }
        for enrolment in enrolments
    ]


def _quiz_attempts(person: User) -> list[dict]:
    rows = []
    attempts = (
        QuizAttempt.objects.filter(enrolment__trainee=person)
        .select_related("quiz", "enrolment")
        .order_by("started_at")
    )
    for attempt in attempts:
        row = {
            "quiz": attempt.quiz.title,
            "number": attempt.number,
            "status": attempt.get_status_display(),
            "started_at": attempt.started_at,
            "submitted_at": attempt.submitted_at,
            "timed_out": attempt.timed_out,
        }
        # Marks only once the quiz's review is open to them, as on the attempt's page.
        if review_allowed(attempt.quiz, attempt):
            row.update(
                {"score": attempt.score, "max_score": attempt.max_score, "percent": attempt.percent}
            )
            row["questions"] = [
                {
                    "number": item.number,
                    "question": strip_tags(item.question.text),
                    "mark": item.mark,
                    "points": item.earned_points,
                }
                for item in attempt_review(attempt=attempt)
            ]
        rows.append(row)
    return rows


def _case_work(person: User) -> list[dict]:
    rows = []
    submissions = (
        CaseSubmission.objects.filter(enrolment__trainee=person)
        .select_related("case")
        .prefetch_related("files")
        .order_by("pk")
    )
    for submission in submissions:
        row = {
            "case": submission.case.title,
            "status": submission.get_status_display(),
            "submitted_at": submission.submitted_at,
            "times_submitted": submission.times_submitted,
            "answers": submission.answers,
            "files": [
                {"name": file.original_name, "size": file.size, "in_archive": _file_path(file)}
                for file in submission.files.all()
            ],
        }
        grade = getattr(submission, "grade", None)
        if grade is not None and grade.is_released:
            row["grade"] = {
                "score": grade.score,
                "max_score": grade.max_score,
                "percent": grade.percent,
                "comment": grade.comment,
                "released_at": grade.released_at,
            }
        rows.append(row)
    return rows


def _attendance(person: User) -> list[dict]:
    feedback = {
        (item.session_id, item.enrolment_id): item
        for item in SessionFeedback.objects.filter(enrolment__trainee=person)
    }
    rows = []
    for mark in (
        Attendance.objects.filter(enrolment__trainee=person)
        .select_related("session")
        .order_by("session__starts_at")
    ):
        row = {
            "session": mark.session.topic,
            "starts_at": mark.session.starts_at,
            "status": mark.get_status_display(),
            "marked_at": mark.marked_at,
        }
        given = feedback.get((mark.session_id, mark.enrolment_id))
        if given is not None:
            row["feedback"] = {"rating": given.rating, "comment": given.comment}
        rows.append(row)
    return rows


def _certificates(person: User) -> list[dict]:
    return [
        {
            "document": certificate.get_kind_display(),
            "serial": certificate.serial,
            "registration_number": certificate.registration_number,
            "issued_on": certificate.issued_on,
            "programme": certificate.program_title,
            "total_hours": certificate.total_hours,
            "practice_hours": certificate.practice_hours,
            "name_printed": certificate.full_name,
            "status": Certificate.Status(certificate_status(certificate)).label,
            "verification": absolute_url(reverse("certificates:verify", args=(certificate.code,))),
            "in_archive": _certificate_path(certificate) if certificate.pdf else "",
        }
        for certificate in Certificate.objects.filter(trainee=person)
        .select_related("region", "replaced_by")
        .order_by("pk")
    ]


def _notifications(person: User) -> list[dict]:
    return [
        {
            "subject": item.subject,
            "text": item.body,
            "sent_at": item.created_at,
            "read_at": item.read_at,
            "emailed_at": item.emailed_at,
        }
        for item in Notification.objects.filter(recipient=person).order_by("created_at")
    ]


def _seen_and_changed(person: User) -> list[dict]:
    entries = (
        LogEntry.objects.filter(concerning([person.pk]))
        .select_related("content_type")
        .order_by("timestamp")
    )
    return [
        {
            "when": entry.timestamp,
            "action": str(ACTIONS.get(entry.action, entry.action)),
            "what": str(entry.content_type.model_class()._meta.verbose_name)
            if entry.content_type
            else "",
            "by_themselves": entry.actor_id == person.pk,
        }
        for entry in entries
    ]


def held_about(person: User) -> dict:
    """Everything held about `person`: dates, times and decimals as such (the page formats them
    for its language; the archive writes them in ISO 8601)."""
    return {
        "format": FORMAT,
        "made_at": timezone.now(),
        "account": _account(person),
        "consents": _consents(person),
        "enrolments": _enrolments(person),
        "quiz_attempts": _quiz_attempts(person),
        "case_work": _case_work(person),
        "attendance": _attendance(person),
        "certificates": _certificates(person),
        "notifications": _notifications(person),
        "seen_or_changed": _seen_and_changed(person),
    }


def _file_path(file) -> str:
    # The name was typed by whoever uploaded it: no folder of it may reach the archive's paths.
    name = re.sub(r"[\\/\x00]+", "_", file.original_name).lstrip(".") or "file"
    return str(PurePosixPath("files", "case-work", str(file.pk), name))


def _certificate_path(certificate: Certificate) -> str:
    return str(PurePosixPath("files", "certificates", f"{certificate.serial}.pdf"))


def files_of(person: User) -> list[tuple[str, object]]:
    """(path in the archive, stored file) for each of their files."""
    found = []
    for submission in CaseSubmission.objects.filter(enrolment__trainee=person).prefetch_related(
        "files"
    ):
        found += [(_file_path(file), file.file) for file in submission.files.all()]
    for certificate in Certificate.objects.filter(trainee=person).exclude(pdf=""):
        found.append((_certificate_path(certificate), certificate.pdf))
    return found


def write_archive(person: User, target) -> list[str]:
    """One ZIP into `target` (a binary file): `data.json`, `README.txt` and `files/`. Returns
    the files that could not be read from storage (listed in README.txt, never a failure)."""
    data = held_about(person)
    missing = []
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, stored in files_of(person):
            try:
                with stored.open("rb") as source, archive.open(path, "w") as copy:
                    for chunk in iter(lambda: source.read(1 << 20), b""):
                        copy.write(chunk)
            except OSError:
                missing.append(path)
        archive.writestr(
            "data.json", json.dumps(data, ensure_ascii=False, indent=2, default=_plain)
        )
        archive.writestr("README.txt", _readme(data, missing))
    return missing


def _readme(data: dict, missing: list[str]) -> str:
    lines = [
        _("Everything the school of social coordinators holds about %(login)s, as of %(when)s.")
        % {"login": data["account"]["login"], "when": _plain(data["made_at"])},
        "",
        _(
            "data.json: the data itself (account, consents, enrolments, quizzes, case work, "
            "attendance, certificates, notifications, and when your data was viewed or changed)."
        ),
        _("files/: your case work files and certificates."),
        _("Questions: %(contact)s") % {"contact": settings.DEFAULT_FROM_EMAIL},
    ]
    if missing:
        lines += ["", _("These files could not be read and are not included:"), *missing]
    return "\n".join(lines) + "\n"
