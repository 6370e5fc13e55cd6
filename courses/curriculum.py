"""Academic hours of a programme and the practice-share rule.

`curriculum_breakdown` is the one place that adds up hours; `practice_balance_error` is the one
place that decides whether a change may be published. The admin hooks, the workflow task, the
page models and the `curriculum_report` command all call these.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, ROUND_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from wagtail.models import Page, Site

from accounts.display import inner_quotes

from .models import ActivityKind, ActivityPage, ModulePage, ProgramPage

ZERO = Decimal("0")
TENTH = Decimal("0.1")


def format_hours(value: Decimal) -> str:
    """12 → "12", 4.5 → "4,5" (in Russian): hours as people write them."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return str(int(value))
    return number_format(value.quantize(TENTH), decimal_pos=1)


def percent_of(part, whole) -> Decimal:
    """`part` in per cent of `whole`, to one decimal, half up; 0 when `whole` is 0.

    The one rounding of every share the school shows: practice, quiz scores, case grades,
    attendance.
    """
    if not whole:
        return ZERO
    return (Decimal(part) * 100 / Decimal(whole)).quantize(TENTH, rounding=ROUND_HALF_UP)


@dataclass
class HoursSplit:
    practice_hours: Decimal = ZERO
    theory_hours: Decimal = ZERO

    @property
    def total_hours(self) -> Decimal:
        return self.practice_hours + self.theory_hours

    @property
    def practice_share(self) -> Decimal:
        """Practice in per cent of all academic hours, to one decimal (0 when there are none)."""
        return percent_of(self.practice_hours, self.total_hours)

    def add(self, hours: Decimal, kind: str) -> None:
        if kind == ActivityKind.PRACTICE:
            self.practice_hours += hours
        else:
            self.theory_hours += hours


@dataclass
class ActivityHours:
    id: int
    title: str
    slug: str
    kind: str
    hours: Decimal
    url_path: str = ""
    # The tree path: its order is the programme's order (module, then activity within it).
    path: str = ""

    @property
    def url(self) -> str:
        return page_url(self.url_path)


def page_url(url_path: str) -> str:
    """A page's address on the site from its `url_path`, without loading the page.

    Wagtail serves a page at its url_path less the site root's; the root paths are cached.
    """
    for root in Site.get_site_root_paths():
        if url_path.startswith(root.root_path):
            return "/" + url_path[len(root.root_path) :]
    return ""


@dataclass
class ModuleBreakdown(HoursSplit):
    page: ModulePage | None = None
    id: int = 0
    title: str = ""
    slug: str = ""
    activities: list[ActivityHours] = field(default_factory=list)


@dataclass
class ProgramBreakdown(HoursSplit):
    program: ProgramPage | None = None
    practice_target: int = 75
    modules: list[ModuleBreakdown] = field(default_factory=list)

    @property
    def practice_shortfall(self) -> Decimal:
        return practice_shortfall(self.practice_hours, self.theory_hours, self.practice_target)

    def as_dict(self) -> dict:
        return {
            "total_hours": float(self.total_hours),
            "practice_hours": float(self.practice_hours),
            "theory_hours": float(self.theory_hours),
            "practice_share": float(self.practice_share),
            "practice_target": self.practice_target,
            "modules": [
                {
                    "title": module.title,
                    "slug": module.slug,
                    "total_hours": float(module.total_hours),
                    "practice_hours": float(module.practice_hours),
                    "theory_hours": float(module.theory_hours),
                    "activities": [
                        {
                            "title": activity.title,
                            "slug": activity.slug,
                            "kind": activity.kind,
                            "hours": float(activity.hours),
                        }
                        for activity in module.activities
                    ],
                }
                for module in self.modules
            ],
        }


def practice_shortfall(practice: Decimal, theory: Decimal, target_percent: int) -> Decimal:
    """Practice hours to add, theory unchanged, for practice to reach `target_percent` of all.

    practice / (practice + theory) >= t  ⇔  practice >= theory · t / (1 − t).
    """
    if target_percent <= 0:
        return ZERO
    if target_percent >= 100:
        raise ValueError("A practice target must stay below 100 %.")
    target = Decimal(target_percent)
    required = Decimal(theory) * target / (100 - target)
    missing = required - Decimal(practice)
    return missing.quantize(TENTH, rounding=ROUND_UP) if missing > 0 else ZERO


def curriculum_breakdown(
    program: ProgramPage,
    *,
    pending: Page | None = None,
    withdrawn: Collection[Page] = (),
) -> ProgramBreakdown:
    """The programme's published hours, by module and kind.

    Only what a trainee can reach counts: live activities in live modules. `pending` is a page
    about to be published (its new version replaces the live one); `withdrawn` are pages about to
    be unpublished together (a module takes its activities with it). Two queries whatever the
    size of the programme.
    """
    pending = pending.specific if pending is not None and type(pending) is Page else pending
    # Compared by primary key and path, so that plain `Page` rows (as bulk actions hold) count.
    withdrawn_pks = {page.pk for page in withdrawn}
    withdrawn_paths = {page.path for page in withdrawn}
    target = program.practice_target
    if isinstance(pending, ProgramPage) and pending.pk == program.pk:
        target = pending.practice_target

    modules = {
        module.path: ModuleBreakdown(
            page=module, id=module.pk, title=module.title, slug=module.slug
        )
        for module in ModulePage.objects.child_of(program).live().order_by("path")
    }
    if isinstance(pending, ModulePage) and pending.path[: -ModulePage.steplen] == program.path:
        modules[pending.path] = ModuleBreakdown(
            page=pending, id=pending.pk, title=pending.title, slug=pending.slug
        )
    for path in withdrawn_paths:
        modules.pop(path, None)

    rows = list(
        ActivityPage.objects.descendant_of(program)
        .live()
        .order_by("path")
        .values("pk", "path", "url_path", "title", "slug", "kind", "hours")
    )
    if isinstance(pending, ActivityPage):
        rows = [row for row in rows if row["pk"] != pending.pk]
        rows.append(
            {
                "pk": pending.pk,
                "path": pending.path,
                "url_path": pending.url_path,
                "title": pending.title,
                "slug": pending.slug,
                "kind": pending.kind,
                "hours": Decimal(pending.hours or 0),
            }
        )
        rows.sort(key=lambda row: row["path"])
    rows = [row for row in rows if row["pk"] not in withdrawn_pks]

    breakdown = ProgramBreakdown(program=program, practice_target=target)
    for row in rows:
        module = modules.get(row["path"][: -ActivityPage.steplen])
        if module is None:  # under an unpublished module: not reachable, not counted
            continue
        activity = ActivityHours(
            id=row["pk"],
            title=row["title"],
            slug=row["slug"],
            kind=row["kind"],
            hours=row["hours"],
            url_path=row["url_path"],
            path=row["path"],
        )
        module.activities.append(activity)
        module.add(activity.hours, activity.kind)
        breakdown.add(activity.hours, activity.kind)
    breakdown.modules = [modules[path] for path in sorted(modules)]
    return breakdown


class PracticeBalanceError(ValidationError):
    """Publishing (or unpublishing) this would leave the programme under its practice target."""


def _program_of(page: Page) -> ProgramPage | None:
    if isinstance(page, ProgramPage):
        return page
    if page.pk is None:
        return None
    return ProgramPage.objects.ancestor_of(page).first()


def practice_balance_error(
    page: Page, *, unpublishing: bool = False, unpublished_with: Collection[Page] = ()
) -> str | None:
    """Why publishing (or unpublishing) `page` must be refused, or None when it may go ahead.

    The rule binds a programme that is live or going live: while a programme is a draft, its
    modules and activities can be published one by one as they are written. `unpublished_with`
    are the other pages of the same action (a bulk unpublish): they go down together, so they
    are judged together.
    """
    page = page.specific if type(page) is Page else page
    if not isinstance(page, ProgramPage | ModulePage | ActivityPage):
        return None
    program = _program_of(page)
    if program is None:
        return None
    publishing_program = isinstance(page, ProgramPage) and not unpublishing
    withdrawn = [page, *unpublished_with] if unpublishing else []
    if any(item.pk == program.pk for item in withdrawn):
        return None  # the programme itself goes down: nothing of it is left to balance
    if not (program.live or publishing_program):
        return None

    breakdown = curriculum_breakdown(
        program, pending=None if unpublishing else page, withdrawn=withdrawn
    )
    if breakdown.total_hours == 0:
        return _(
            "The programme «%(program)s» has no published activities yet: publish its modules "
            "and activities first."
        ) % {"program": inner_quotes(program.title)}
    missing = breakdown.practice_shortfall
    if not missing:
        return None
    return _(
        "Refused: the programme «%(program)s» would have %(share)s%% practice, below its target "
        "of %(target)s%%. %(missing)s more academic hours of practice are missing "
        "(practice %(practice)s h, theory %(theory)s h)."
    ) % {
        "program": inner_quotes(program.title),
        "share": format_hours(breakdown.practice_share),
        "target": breakdown.practice_target,
        "missing": format_hours(missing),
        "practice": format_hours(breakdown.practice_hours),
        "theory": format_hours(breakdown.theory_hours),
    }


def check_practice_balance(page: Page, *, unpublishing: bool = False) -> None:
    """Raise PracticeBalanceError when `practice_balance_error` refuses the change."""
    message = practice_balance_error(page, unpublishing=unpublishing)
    if message:
        raise PracticeBalanceError(message, code="practice_share")
