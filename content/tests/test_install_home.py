"""`install_home`: the school's home page at the default site's root of a fresh database."""

import pytest
from django.core.management import call_command
from wagtail.models import Page, Site

from content.models import HomePage

pytestmark = pytest.mark.django_db


def starter() -> Page | None:
    return Page.objects.filter(depth=2, content_type__model="page").first()


def test_a_fresh_database_gets_the_home_page_in_place_of_wagtails_starter(capsys):
    assert starter() is not None and not HomePage.objects.exists()  # as migrations leave it

    call_command("install_home")

    home = HomePage.objects.get()
    assert Site.objects.get(is_default_site=True).root_page_id == home.pk
    assert home.live and home.url_path == "/home/"
    assert starter() is None
    assert "«Школа социальных координаторов» (/home/)" in capsys.readouterr().out


def test_running_it_again_changes_nothing():
    call_command("install_home")
    before = list(Page.objects.values_list("pk", "path", "live"))

    call_command("install_home")

    assert list(Page.objects.values_list("pk", "path", "live")) == before
    assert HomePage.objects.count() == 1


def test_a_starter_page_with_pages_under_it_is_kept():
    kept = starter()
    kept.add_child(instance=Page(title="Чужая страница", slug="other"))

    call_command("install_home")

    assert Page.objects.filter(pk=kept.pk).exists()
    home = HomePage.objects.get()
    assert home.depth == 2 and home.slug != kept.slug
    assert Site.objects.get(is_default_site=True).root_page_id == home.pk
