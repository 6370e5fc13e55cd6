"""Reads of the curriculum and of cohorts, scoped to who asks.

Each access rule lives here once; views, pages, commands and templates ask these functions
rather than test roles themselves.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from accounts.roles import Role
from core import freshness

from .models import Cohort, Enrolment, ProgramPage

# Roles that author and teach: they read every programme and instructor-only material.
TEACHING_ROLES = frozenset({Role.INSTRUCTOR, Role.SENIOR_INSTRUCTOR, Role.ADMINISTRATOR})


# Roles that follow cohorts: teach them, run them or oversee them.
STAFF_ROLES = TEACHING_ROLES | {Role.REGIONAL_OFFICIAL, Role.FEDERAL_OFFICIAL}


def _roles(user) -> frozenset[str]:
    if not user.is_authenticated:
        return frozenset()
    return user.role_names


def is_administrator(user) -> bool:
    return user.is_authenticated and (user.is_superuser or Role.ADMINISTRATOR in _roles(user))


def sees_all_regions(user) -> bool:
    return is_administrator(user) or Role.FEDERAL_OFFICIAL in _roles(user)


def programs_visible_to(user) -> QuerySet[ProgramPage]:
    """Live programmes the user may open.

    Authors, administrators and federal officials: all. A regional official: those taught in
    their region. A trainee: those of their enrolments (not the withdrawn ones). Anyone else: none.
    """
    if not user.is_authenticated:
        return ProgramPage.objects.none()
    live = ProgramPage.objects.live().order_by("path")
    roles = _roles(user)
    if is_administrator(user) or roles & TEACHING_ROLES or Role.FEDERAL_OFFICIAL in roles:
        return live
    visible = Q(
        pk__in=Enrolment.objects.filter(trainee=user)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .values("program")
    )
    if Role.REGIONAL_OFFICIAL in roles:
        visible |= Q(pk__in=Cohort.objects.filter(region_id=user.region_id).values("program"))
    return live.filter(visible)


def follows_cohorts(user) -> bool:
    """Whether the cohorts pages are for this user (staff, not trainees)."""
    return is_administrator(user) or bool(_roles(user) & STAFF_ROLES)


def can_view_program(user, program: ProgramPage) -> bool:
    # Remembered until a fact of theirs (an enrolment, their roles or region) or the school's
    # (the programme, the cohorts) changes (core.freshness).
    return freshness.remembered(
        ("can-view-program", user.pk, program.pk),
        [freshness.trainee(user.pk)],
        lambda: programs_visible_to(user).filter(pk=program.pk).exists(),
    )


def can_read_discussion_guide(user) -> bool:
    """Instructors, senior instructors and administrators; never a trainee or an official."""
    return is_administrator(user) or bool(_roles(user) & TEACHING_ROLES)


def cohorts_visible_to(user) -> QuerySet[Cohort]:
    """Cohorts the user follows: all (administrators, federal officials), their region's
    (regional officials), the ones they teach (instructors), the ones they study in (trainees)."""
    cohorts = Cohort.objects.select_related("program", "region")
    if not user.is_authenticated:
        return cohorts.none()
    if sees_all_regions(user):
        return cohorts
    roles = _roles(user)
    visible = Q(pk__in=[])
    if Role.REGIONAL_OFFICIAL in roles:
        visible |= Q(region_id=user.region_id)
    if roles & TEACHING_ROLES:
        visible |= Q(instructors=user)
    visible |= Q(
        pk__in=Enrolment.objects.filter(trainee=user)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .values("cohort")
    )
    return cohorts.filter(visible).distinct()


def enrolments_visible_to(user) -> QuerySet[Enrolment]:
    """Enrolments whose record the user may open: their own (withdrawn ones too), and for the
    people who follow cohorts, every enrolment of the cohorts they follow (`cohorts_visible_to`:
    an instructor's own cohorts, a regional official's region, everything for federal officials
    and administrators). A trainee never sees a classmate's."""
    enrolments = Enrolment.objects.select_related("trainee", "cohort__region", "program")
    if not user.is_authenticated:
        return enrolments.none()
    visible = Q(trainee=user)
    if follows_cohorts(user):
        visible |= Q(cohort__in=cohorts_visible_to(user).values("pk"))
    return enrolments.filter(visible)


def teaches_cohort(user, cohort: Cohort) -> bool:
    """The cohort's instructors and administrators: they schedule, keep registers and grade."""
    return is_administrator(user) or cohort.instructors.filter(pk=user.pk).exists()


def cohorts_managed_by(user) -> QuerySet[Cohort]:
    """Cohorts the user may create, edit and enrol trainees in: administrators and federal
    officials everywhere, regional officials in their own region."""
    cohorts = Cohort.objects.select_related("program", "region")
    if sees_all_regions(user):
        return cohorts
    if Role.REGIONAL_OFFICIAL in _roles(user):
        return cohorts.filter(region_id=user.region_id)
    return cohorts.none()


def can_manage_cohorts(user) -> bool:
    return sees_all_regions(user) or Role.REGIONAL_OFFICIAL in _roles(user)


def cohort_list(user) -> QuerySet[Cohort]:
    """The cohorts page: what the user follows, with the number of active trainees."""
    return cohorts_visible_to(user).annotate(
        active_count=Count(
            "enrolments", filter=Q(enrolments__status=Enrolment.Status.ACTIVE), distinct=True
        )
    )


def enrolment_for(user, program: ProgramPage | None) -> Enrolment | None:
    """The trainee's current enrolment in the programme (active first, then completed).

    `program` may be None (a page outside any programme): then there is no enrolment.
    """
    if program is None or not user.is_authenticated:
        return None
    return (
        Enrolment.objects.filter(trainee=user, program=program)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .select_related("cohort")
        .order_by("status")  # "active" sorts before "completed"
        .first()
    )
