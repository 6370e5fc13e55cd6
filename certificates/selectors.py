"""Reads of certificates, scoped to who asks."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from accounts.models import Region
from accounts.roles import Role
from courses.selectors import cohorts_visible_to, follows_cohorts, is_administrator

from .models import Certificate


def certificate_by_code(code: str) -> Certificate | None:
    """The certificate with this (normalised) verification code, with what its status needs."""
    return Certificate.objects.select_related("replaced_by").filter(code=code).first()


def certificates_visible_to(user) -> QuerySet[Certificate]:
    """Certificates the staff may see: those of the cohorts they follow (`cohorts_visible_to`:
    a regional official's region, an instructor's own cohorts, everything for federal officials
    and administrators). Trainees see none here: their own are on their home and record."""
    if not follows_cohorts(user):
        return Certificate.objects.none()
    return Certificate.objects.filter(cohort__in=cohorts_visible_to(user).values("pk"))


def status_filter(status: str, *, day: dt.date) -> Q:
    """`Certificate.status_on(day)` as a database condition, in the same order of precedence:
    revoked, then superseded, then expired (the day after `expires_on`), else valid."""
    revoked = Q(revoked_at__isnull=False)
    superseded = Q(replaced_by__isnull=False)
    expired = Q(expires_on__lt=day)
    if status == Certificate.Status.REVOKED:
        return revoked
    if status == Certificate.Status.SUPERSEDED:
        return ~revoked & superseded
    if status == Certificate.Status.EXPIRED:
        return ~revoked & ~superseded & expired
    if status == Certificate.Status.VALID:
        return ~revoked & ~superseded & (Q(expires_on__isnull=True) | ~expired)
    raise ValueError(status)


def register_certificates(
    *,
    user,
    day: dt.date,
    region=None,
    cohort=None,
    status: str = "",
    issued_from: dt.date | None = None,
    issued_to: dt.date | None = None,
    search: str = "",
) -> QuerySet[Certificate]:
    """The register of issued certificates as `user` may see it, filtered; what the register
    page, its XLSX and CSV and the federal register's export all read, so they never differ.

    The search matches the serial, or every word of it against the printed name.
    """
    certificates = certificates_visible_to(user).select_related("cohort", "replaced_by")
    if region is not None:
        certificates = certificates.filter(region=region)
    if cohort is not None:
        certificates = certificates.filter(cohort=cohort)
    if status:
        certificates = certificates.filter(status_filter(status, day=day))
    if issued_from is not None:
        certificates = certificates.filter(issued_on__gte=issued_from)
    if issued_to is not None:
        certificates = certificates.filter(issued_on__lte=issued_to)
    search = search.strip()
    if search:
        by_name = Q()
        for word in search.split():
            by_name &= (
                Q(last_name__icontains=word)
                | Q(first_name__icontains=word)
                | Q(patronymic__icontains=word)
            )
        certificates = certificates.filter(Q(serial__icontains=search) | by_name)
    return certificates.order_by("-issued_on", "-pk")


def register_regions(user) -> QuerySet[Region]:
    """The regions of the cohorts the user follows: the register's region filter offers these."""
    return Region.objects.filter(pk__in=cohorts_visible_to(user).values("region")).order_by("name")


def reports_to_federal_register(user) -> bool:
    """Officials and administrators send the ФИС ФРДО report: it carries the СНИЛС and dates
    of birth trainees gave for it, which instructors have no use for."""
    if not user.is_authenticated:
        return False
    return is_administrator(user) or bool(
        user.role_names & {Role.REGIONAL_OFFICIAL, Role.FEDERAL_OFFICIAL}
    )
