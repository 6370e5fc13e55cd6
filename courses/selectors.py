"""Reads of the curriculum, scoped to who asks."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.roles import Role

from .models import ProgramPage

# Roles that author and teach: they read instructor-only material such as discussion guides.
TEACHING_ROLES = {Role.INSTRUCTOR, Role.SENIOR_INSTRUCTOR, Role.ADMINISTRATOR}


def programs_visible_to(user) -> QuerySet[ProgramPage]:
    """Live programmes the user may open; none for an anonymous visitor."""
    if not user.is_authenticated:
        return ProgramPage.objects.none()
    return ProgramPage.objects.live().order_by("path")


def can_read_discussion_guide(user) -> bool:
    """Instructors, senior instructors and administrators; never a trainee or an official."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return bool(user.role_names & TEACHING_ROLES)
