"""Whether a trainee has completed their programme, rule by rule, with what is still missing.

Completion = still enrolled (not withdrawn) + every published activity done + the final grade at
least the programme's pass mark + attendance at least the programme's threshold. This module is
the one place that decides it; it is handed the facts (`records.selectors` gathers them for one
trainee or a whole cohort) so that every page, export and command gets the same answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from accounts.display import inner_quotes
from courses.curriculum import ActivityHours
from courses.models import ProgramPage
from schedule.selectors import AttendanceRate


@dataclass
class Rule:
    name: str
    met: bool
    detail: str


@dataclass
class CompletionState:
    rules: list[Rule] = field(default_factory=list)
    final_grade: Decimal | None = None  # as shown, to a tenth
    attendance: Decimal | None = None
    missing: list[ActivityHours] = field(default_factory=list)  # activities not done, in order

    @property
    def complete(self) -> bool:
        return all(rule.met for rule in self.rules)


def grade_reaches(final_exact: Fraction | None, pass_mark: int) -> bool:
    """The exact final grade against the pass mark: 59.96 shows as 60.0 yet does not reach 60."""
    return final_exact is not None and final_exact >= pass_mark


def attendance_reaches(rate: AttendanceRate, threshold: int) -> bool:
    """Compared exactly, not on the rounded percent: 17 of 21 (80.95 %) is below 81 %.

    Before any session is held there is nothing to miss.
    """
    return not rate.counted or rate.attended * 100 >= threshold * rate.counted


def completion_state(
    *,
    program: ProgramPage,
    activities: list[ActivityHours],
    done: Collection[int],
    final_grade: Decimal | None,
    final_exact: Fraction | None,
    attendance: AttendanceRate,
    withdrawn_on: dt.date | None = None,
    withdrawn: bool = False,
) -> CompletionState:
    """The rules and whether each is met, from facts gathered by the caller.

    `activities` are the programme's published activities in order, `done` the ids the trainee
    has completed, `final_grade`/`final_exact` the gradebook's final grade shown and unrounded.
    """
    missing = [activity for activity in activities if activity.id not in done]
    state = CompletionState(final_grade=final_grade, attendance=attendance.percent, missing=missing)
    if withdrawn:
        state.rules.append(
            Rule(
                name=_("Enrolment"),
                met=False,
                detail=_("Withdrawn from the cohort on %(date)s.")
                % {"date": withdrawn_on.strftime("%d.%m.%Y") if withdrawn_on else "—"},
            )
        )
    state.rules.append(
        Rule(
            name=_("All activities done"),
            met=not missing,
            detail=(
                _("%(done)s of %(total)s done; next: «%(next)s».")
                % {
                    "done": len(activities) - len(missing),
                    "total": len(activities),
                    "next": inner_quotes(missing[0].title),
                }
                if missing
                else _("All %(total)s done.") % {"total": len(activities)}
            ),
        )
    )
    grade = final_grade if final_grade is not None else Decimal("0")
    state.rules.append(
        Rule(
            name=_("Final grade"),
            met=grade_reaches(final_exact, program.pass_mark),
            detail=_("%(grade)s %% of the %(mark)s %% needed.")
            % {"grade": number_format(grade, 1), "mark": program.pass_mark},
        )
    )
    state.rules.append(
        Rule(
            name=_("Attendance"),
            met=attendance_reaches(attendance, program.attendance_threshold),
            detail=(
                _("No sessions held yet; %(threshold)s %% needed.")
                % {"threshold": program.attendance_threshold}
                if attendance.percent is None
                else _(
                    "%(rate)s %% of the %(threshold)s %% needed "
                    "(%(attended)s of %(counted)s sessions)."
                )
                % {
                    "rate": number_format(attendance.percent, 1),
                    "threshold": program.attendance_threshold,
                    "attended": attendance.attended,
                    "counted": attendance.counted,
                }
            ),
        )
    )
    return state
