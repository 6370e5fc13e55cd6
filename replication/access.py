"""Who may do what with programmes across regions."""

from __future__ import annotations

from accounts.models import Region

EXPORT = "replication.export_programme"
ADOPT = "replication.adopt_programme"
ALL_REGIONS = "accounts.view_all_regions"


def regions_for(user):
    """The regions a person may adopt a programme for: their own; every one for those who
    follow all regions (administrators)."""
    if not user.has_perm(ADOPT):
        return Region.objects.none()
    if user.has_perm(ALL_REGIONS):
        return Region.objects.all()
    return Region.objects.filter(pk=user.region_id)


def may_manage(user, adoption) -> bool:
    """Taking the origin's changes into a copy: the copy's region's authors, administrators."""
    return user.has_perm(ADOPT) and (
        user.has_perm(ALL_REGIONS) or user.region_id == adoption.region_id
    )


def may_see_catalogue(user) -> bool:
    """Federal officials and authors who export or adopt programmes."""
    return user.is_authenticated and (
        user.has_perm(ALL_REGIONS) or user.has_perm(ADOPT) or user.has_perm(EXPORT)
    )
