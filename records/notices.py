"""The message a trainee gets when a change to their running programme goes live."""

from __future__ import annotations

from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from wagtail.models import Page

from accounts.display import inner_quotes
from courses.models import Enrolment
from notifications.services import notify


def _percent(value: str | None) -> str:
    return number_format(Decimal(value or "0"), 1)


def notify_change(*, page_id: int, trainees: list[dict]) -> int:
    """One message to each trainee still studying the programme; returns how many were sent.

    Someone withdrawn between the publication and this task is not told.
    """
    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        return 0
    page = page.specific
    rows = {row["enrolment"]: row for row in trainees}
    enrolments = Enrolment.objects.filter(
        pk__in=rows, status=Enrolment.Status.ACTIVE
    ).select_related("trainee", "program")
    sent = 0
    for enrolment in enrolments:
        row = rows[enrolment.pk]
        lines = [
            _("«%(page)s» was published in the programme «%(program)s».")
            % {"page": inner_quotes(page.title), "program": inner_quotes(enrolment.program.title)}
        ]
        if row["progress_after"] < row["progress_before"]:
            lines.append(
                _("Your progress is now %(after)s %% (it was %(before)s %%).")
                % {"after": row["progress_after"], "before": row["progress_before"]}
            )
        if Decimal(row["grade_after"] or "0") < Decimal(row["grade_before"] or "0"):
            lines.append(
                _("Your final grade is now %(after)s %% (it was %(before)s %%).")
                % {"after": _percent(row["grade_after"]), "before": _percent(row["grade_before"])}
            )
        if row["loses_completion"]:
            lines.append(
                _(
                    "You had met every requirement of the programme; to complete it now, do "
                    "what has been added."
                )
            )
        notify(
            recipient=enrolment.trainee,
            subject=_("The programme «%(program)s» has changed")
            % {"program": inner_quotes(enrolment.program.title)},
            body="\n".join(lines),
            url=page.url if page.live and page.url else "",
        )
        sent += 1
    return sent
