"""The site's own set-up: the school's home page at the root of the default site."""

from __future__ import annotations

from collections.abc import Callable

from wagtail.models import Page, Site

from .models import HomePage


def home_page_install(*, build: Callable[[], HomePage] | None = None) -> HomePage:
    """Make the school's home page the default site's root, and return it: the existing one, or
    one made now by `build` (a plain one without) and published. On a fresh database Wagtail's
    starter «Welcome» page stands there; it makes way first (deleted when nothing was put under
    it), so that programmes are authored under the school's home page and every address is found
    as `HomePage.route` finds it. Running it again changes nothing."""
    home = HomePage.objects.first()
    if home is None:
        for starter in Page.objects.filter(depth=2, content_type__model="page"):
            if not starter.get_children().exists():
                starter.delete()
        home = build() if build else HomePage(title="Школа социальных координаторов", slug="home")
        root = Page.get_first_root_node()
        # A starter page that was kept keeps its slug; the home page takes the next free one.
        taken = set(root.get_children().values_list("slug", flat=True))
        slug, number = home.slug, 1
        while slug in taken:
            number += 1
            slug = f"{home.slug}-{number}"
        home.slug = slug
        root.add_child(instance=home)
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save()
    return home
