"""The region page's trainees at risk, 20 to a page: the boundaries, `?page=N` with the
filters kept, bad page numbers, the files with every row, and a fixed number of queries."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboards.selectors import trainees_at_risk
from dashboards.views import AT_RISK_PER_PAGE
from tests import factories

from .conftest import World, committed
from .test_exports import csv_rows, page_rows

RU = {"HTTP_ACCEPT_LANGUAGE": "ru"}
REGION = reverse("dashboards:region", args=("68",))


@pytest.fixture
def school_of(db, django_capture_on_commit_callbacks):
    """A school whose region 68 has `at_risk` trainees at risk: all of Группа A's and Группа
    B's one have been idle since their cohorts began a month ago."""

    def build(at_risk: int) -> World:
        return committed(django_capture_on_commit_callbacks, lambda: World(trainees=at_risk - 1))

    return build


def page(client, user, query: str = ""):
    client.force_login(user)
    response = client.get(REGION + (f"?{query}" if query else ""), **RU)
    assert response.status_code == 200
    return response


def names(response) -> list[str]:
    return [row[0] for row in page_rows(response, "at-risk")]


def count_line(response) -> str:
    body = response.content.decode()
    return re.search(r'data-testid="at-risk-count">([^<]*)</p>', body).group(1)


def expected_names(world) -> list[str]:
    return [item.trainee.full_name for item in trainees_at_risk(region=world.cohort.region)]


def test_a_page_holds_twenty():
    assert AT_RISK_PER_PAGE == 20


def test_exactly_twenty_is_one_page(client, school_of):
    world = school_of(20)
    response = page(client, world.official)
    assert names(response) == expected_names(world) and len(names(response)) == 20
    body = response.content.decode()
    assert 'data-testid="at-risk-pages"' not in body
    assert count_line(response) == "20 слушателей в зоне риска в идущих группах."


def test_twenty_one_is_two_pages_and_the_second_shows_the_twenty_first(client, school_of):
    world = school_of(21)
    every = expected_names(world)
    assert len(every) == 21
    first = page(client, world.official)
    assert names(first) == every[:20]
    assert count_line(first).startswith("21 слушатель в зоне риска")
    assert "Здесь показаны: 1–20." in count_line(first)
    body = first.content.decode()
    assert "Страница 1 из 2" in body
    assert f'rel="next" href="{REGION}?page=2#at-risk"' in body
    assert 'rel="prev"' not in body

    second = page(client, world.official, "page=2")
    assert names(second) == every[20:]
    assert "Здесь показаны: 21–21." in count_line(second)
    body = second.content.decode()
    assert "Страница 2 из 2" in body
    # Page 1 is the address without `page`, so that each page has one address.
    assert f'rel="prev" href="{REGION}#at-risk"' in body
    assert 'rel="next"' not in body
    assert 'data-testid="page-note"' not in body


def test_the_pages_links_keep_the_filters_and_the_files_take_every_page(client, school_of):
    world = school_of(21)
    query = "status=running&period_from=2020-01-01"
    kept = query.replace("&", "&amp;")
    body = page(client, world.official, query).content.decode()
    assert f'rel="next" href="{REGION}?{kept}&amp;page=2#at-risk"' in body
    body = page(client, world.official, f"{query}&page=2").content.decode()
    assert f'rel="prev" href="{REGION}?{kept}#at-risk"' in body
    # The files' links carry the filters, not the page, and the file holds all 21.
    csv_link = reverse("dashboards:at_risk_csv", args=("68",))
    assert f'href="{csv_link}?{kept}"' in body
    assert "page=" not in re.search(rf'href="{csv_link}[^"]*"', body).group(0)
    client.force_login(world.official)
    rows = csv_rows(client.get(f"{csv_link}?{query}&page=2"))
    assert [row[0] for row in rows[1:]] == expected_names(world)


@pytest.mark.parametrize(
    ("asked", "shown"),
    [("abc", 1), ("0", 1), ("-3", 1), ("1.5", 1), ("999", 2), ("3", 2), ("9" * 40, 2)],
)
def test_a_page_that_is_not_there_gives_a_real_one_and_says_so(client, school_of, asked, shown):
    world = school_of(21)
    response = page(client, world.official, f"page={asked}")
    body = response.content.decode()
    assert f"Страница {shown} из 2" in body
    assert names(response) == expected_names(world)[(shown - 1) * 20 : shown * 20]
    note = re.search(r'data-testid="page-note">([^<]*)</p>', body).group(1)
    assert f"это страница {shown} из 2" in note
    assert f"«{asked[:20]}»" in note


@pytest.mark.parametrize("asked", ["", "1", "2"])
def test_a_page_that_is_there_has_no_note(client, school_of, asked):
    world = school_of(21)
    body = page(client, world.official, f"page={asked}").content.decode()
    assert 'data-testid="page-note"' not in body


def test_a_page_number_with_no_one_at_risk_is_quietly_the_empty_list(client, world):
    body = page(client, world.official, "status=finished&page=7").content.decode()
    assert 'data-testid="no-at-risk"' in body
    assert 'data-testid="page-note"' not in body


@override_settings(DASHBOARDS_AT_RISK_PER_PAGE=2)
def test_the_page_size_is_a_setting(client, world):
    every = expected_names(world)
    assert len(every) == 4
    assert names(page(client, world.official)) == every[:2]
    assert names(page(client, world.official, "page=2")) == every[2:]


def _queries(client, address) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200
    return len(queries.captured_queries)


def test_every_page_runs_the_same_number_of_queries_whatever_the_size(
    client, school_of, django_capture_on_commit_callbacks
):
    world = school_of(21)
    client.force_login(world.official)
    client.get(REGION)  # warm up caches
    small = [_queries(client, REGION), _queries(client, f"{REGION}?page=2")]

    def grow():
        for i in range(60):
            factories.enrol(factories.user("Trainee", last_name=f"Петров{i}"), world.other)

    committed(django_capture_on_commit_callbacks, grow)
    assert len(expected_names(world)) == 81
    large = [
        _queries(client, REGION),
        _queries(client, f"{REGION}?page=2"),
        _queries(client, f"{REGION}?page=3"),
        _queries(client, f"{REGION}?page=abc"),
    ]
    assert large == [small[0], small[1], small[1], small[0]]
