"""Whether a trainee has completed their programme, rule by rule, with what is still missing.

Completion = every published activity done + final grade ≥ the programme's pass mark + attendance
≥ the programme's threshold. The one place that decides it; the trainee's page, officials'
views and (later) certificates all ask here.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from .curriculum import ProgramBreakdown, curriculum_breakdown
from .models import ActivityCompletion, Enrolment


@dataclass
class Rule:
    name: str
    met: bool
    detail: str


@dataclass
class CompletionState:
    rules: list[Rule] = field(default_factory=list)
    final_grade: Decimal | None = None
    attendance: Decimal | None = None

    @property
    def complete(self) -> bool:
        return all(rule.met for rule in self.rules)


def completion_state(
    enrolment: Enrolment,
    *,
    breakdown: ProgramBreakdown | None = None,
    done: Collection[int] | None = None,
) -> CompletionState:
    """`breakdown` and `done` (activity ids completed) may come from a caller that has them."""
    from assessments.gradebook import cohort_gradebook
    from schedule.selectors import attendance_rate

    program = enrolment.program
    breakdown = breakdown or curriculum_breakdown(program)
    activities = [activity for module in breakdown.modules for activity in module.activities]
    if done is None:
        done = set(
            ActivityCompletion.objects.filter(enrolment=enrolment).values_list(
                "activity_id", flat=True
            )
        )
    missing = [activity for activity in activities if activity.id not in done]
    [row] = cohort_gradebook(enrolment.cohort, only=enrolment).rows
    rate = attendance_rate(enrolment)
    state = CompletionState(final_grade=row.final, attendance=rate.percent)
    state.rules.append(
        Rule(
            name=_("All activities done"),
            met=not missing,
            detail=(
                _("%(done)s of %(total)s done; next: «%(next)s».")
                % {
                    "done": len(activities) - len(missing),
                    "total": len(activities),
                    "next": missing[0].title,
                }
                if missing
                else _("All %(total)s done.") % {"total": len(activities)}
            ),
        )
    )
    grade = row.final if row.final is not None else Decimal("0")
    state.rules.append(
        Rule(
            name=_("Final grade"),
            met=grade >= program.pass_mark,
            detail=_("%(grade)s %% of the %(mark)s %% needed.")
            % {"grade": number_format(grade, 1), "mark": program.pass_mark},
        )
    )
    attendance = rate.percent
    state.rules.append(
        Rule(
            name=_("Attendance"),
            # Compared exactly, not on the rounded percent: 17 of 21 (80,95 %) is below 81 %.
            met=not rate.counted
            or rate.attended * 100 >= program.attendance_threshold * rate.counted,
            detail=(
                _("No sessions held yet; %(threshold)s %% needed.")
                % {"threshold": program.attendance_threshold}
                if attendance is None
                else _(
                    "%(rate)s %% of the %(threshold)s %% needed "
                    "(%(attended)s of %(counted)s sessions)."
                )
                % {
                    "rate": number_format(attendance, 1),
                    "threshold": program.attendance_threshold,
                    "attended": rate.attended,
                    "counted": rate.counted,
                }
            ),
        )
    )
    return state
