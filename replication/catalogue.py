"""The catalogue: which programmes exist, where each has been adopted, how each copy has been
adapted and whether it is behind its origin. A fixed number of queries however many copies."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from wagtail.models import Page

from courses.models import ProgramPage

from .models import Adoption, Decision, PageOrigin, Release
from .updates import adapted_pages, waiting


@dataclass
class CopyRow:
    adoption: Adoption
    pages: int
    adapted: int
    own: int
    waiting: int
    latest_version: int

    @property
    def behind(self) -> bool:
        return self.waiting > 0


@dataclass
class ProgrammeRow:
    uid: str
    title: str
    region: str
    page: ProgramPage | None
    latest_version: int | None
    copies: list[CopyRow] = field(default_factory=list)


def catalogue() -> list[ProgrammeRow]:
    adoptions = list(
        Adoption.objects.select_related("programme", "region", "adopted").order_by(
            "origin_title", "region__name"
        )
    )
    copy_ids = {adoption.programme_id for adoption in adoptions}
    programmes = ProgramPage.objects.select_related("region").order_by("title")
    rows: dict[str, ProgrammeRow] = {
        str(page.translation_key): ProgrammeRow(
            uid=str(page.translation_key),
            title=page.title,
            region=page.region.name if page.region else "",
            page=page,
            latest_version=None,
        )
        for page in programmes
        if page.pk not in copy_ids
    }
    releases = Release.objects.defer("content").order_by("programme_uid", "version")
    latest: dict[str, Release] = {}
    hashes: dict[int, dict] = {}
    for release in releases:
        latest[str(release.programme_uid)] = release
        hashes[release.pk] = release.page_hashes
    origins: dict[int, list[PageOrigin]] = {}
    for origin in PageOrigin.objects.select_related("page"):
        origins.setdefault(origin.adoption_id, []).append(origin)
    decided: dict[int, set] = {}
    for adoption_id, uid, digest in Decision.objects.values_list(
        "adoption_id", "origin_uid", "page_hash"
    ):
        decided.setdefault(adoption_id, set()).add((str(uid), digest))
    all_origins = [origin for group in origins.values() for origin in group]
    changed_here = adapted_pages(all_origins)
    counts = _page_counts(adoptions)
    for adoption in adoptions:
        uid = str(adoption.origin_uid)
        row = rows.setdefault(
            uid,
            ProgrammeRow(
                uid=uid,
                title=adoption.origin_title,
                region=adoption.origin_region,
                page=None,
                latest_version=None,
            ),
        )
        newest = latest.get(uid, adoption.adopted)
        mine = origins.get(adoption.pk, [])
        row.copies.append(
            CopyRow(
                adoption=adoption,
                pages=counts.get(adoption.programme_id, 0),
                adapted=sum(changed_here.get(origin.page_id, False) for origin in mine),
                own=counts.get(adoption.programme_id, 0) - len(mine),
                waiting=len(
                    waiting(
                        newest.page_hashes,
                        mine,
                        hashes,
                        decided.get(adoption.pk, set()),
                        set(hashes.get(adoption.adopted_id, {})),
                    )
                ),
                latest_version=newest.version,
            )
        )
    for uid, row in rows.items():
        if uid in latest:
            row.latest_version = latest[uid].version
    return sorted(rows.values(), key=lambda row: (not row.copies, row.title))


def _page_counts(adoptions: list[Adoption]) -> dict[int, int]:
    """How many pages each copy has, itself included."""
    if not adoptions:
        return {}
    condition = Q()
    for adoption in adoptions:
        condition |= Q(path__startswith=adoption.programme.path)
    paths = {adoption.programme.path: adoption.programme_id for adoption in adoptions}
    counts: dict[int, int] = {}
    for path in Page.objects.filter(condition).values_list("path", flat=True):
        for prefix, programme_id in paths.items():
            if path.startswith(prefix):
                counts[programme_id] = counts.get(programme_id, 0) + 1
    return counts
