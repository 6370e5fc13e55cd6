"""The dashboards at two sizes of the synthetic national set: the same queries at both.

The set is built by the real `make_synthetic` (its rollups included), small (2 regions × 2
cohorts × 4 trainees), then removed and built larger (3 × 4 × 6): every page and file an
official opens must run as many queries on the larger set as on the small one. The timings at
national scale are the benchmark's (`make bench-dashboards`), never a test's.
"""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dashboards.models import TraineeFigures
from dashboards.selectors import AtRiskThresholds, at_risk_figures, risk_reasons
from dashboards.synthetic import USERNAME_PREFIX, reset_synthetic, synthetic_users

pytestmark = pytest.mark.django_db

# (regions, cohorts per region, trainees per cohort, seed): seeds under which the first region
# has trainees at risk at both sizes, so that their rows are drawn at both.
SMALL = (2, 2, 4, 1)
LARGER = (3, 4, 6, 3)
FIRST_REGION = "01"  # the set takes the regions in order of their code


def build(regions: int, cohorts: int, trainees: int, seed: int) -> None:
    call_command(
        "make_synthetic",
        "--regions",
        str(regions),
        "--cohorts-per-region",
        str(cohorts),
        "--trainees-per-cohort",
        str(trainees),
        "--seed",
        str(seed),
        stdout=StringIO(),
    )


def addresses() -> dict[str, tuple[str, str]]:
    """Each page and file: (who opens it, its address)."""
    federal, official = f"{USERNAME_PREFIX}federal", f"{USERNAME_PREFIX}{FIRST_REGION}-official"
    region = (FIRST_REGION,)
    found = {
        "federal": (federal, reverse("dashboards:federal")),
        "federal sorted": (federal, reverse("dashboards:federal") + "?sort=-completion_rate"),
        "region": (official, reverse("dashboards:region", args=region)),
        "region, running": (
            official,
            reverse("dashboards:region", args=region) + "?status=running",
        ),
        "region seen by the federal official": (
            federal,
            reverse("dashboards:region", args=region),
        ),
    }
    for fmt in ("xlsx", "csv"):
        found[f"regions.{fmt}"] = (federal, reverse(f"dashboards:regions_{fmt}"))
        found[f"cohorts.{fmt}"] = (official, reverse(f"dashboards:cohorts_{fmt}", args=region))
        found[f"at-risk.{fmt}"] = (official, reverse(f"dashboards:at_risk_{fmt}", args=region))
    return found


def measure(client) -> tuple[dict[str, int], dict[str, int]]:
    """Queries of each address, and the rows each page shows (so that a size that shows
    nothing cannot pass for a fixed count)."""
    queries, rows = {}, {}
    users = {user.username: user for user in synthetic_users()}
    for name, (username, url) in addresses().items():
        client.force_login(users[username])
        client.get(url)  # content types, the site, the session: cached from now on
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == 200, name
        queries[name] = len(captured.captured_queries)
        if "." not in name:
            text = body.decode()
            for marker in ("region-row", "cohort-row", "at-risk-row"):
                rows[f"{name}: {marker}"] = len(re.findall(f'data-testid="{marker}"', text))
    return queries, rows


def test_pages_and_files_run_the_same_queries_at_two_sizes_of_the_national_set(client):
    build(*SMALL)
    small, small_rows = measure(client)
    reset_synthetic()
    build(*LARGER)
    larger, larger_rows = measure(client)

    assert larger == small
    # The larger set shows more of everything: more regions, cohorts and trainees at risk.
    assert small_rows["federal: region-row"] == 2 and larger_rows["federal: region-row"] == 3
    assert small_rows["region: cohort-row"] == 2 and larger_rows["region: cohort-row"] == 4
    assert 0 < small_rows["region: at-risk-row"] < larger_rows["region: at-risk-row"]
    # A budget, so that a page cannot creep up by the same query at both sizes unseen.
    assert max(small.values()) <= 12, small


def test_the_database_and_the_rules_agree_on_who_is_at_risk_across_a_national_set():
    """`at_risk_condition` (SQL) against `risk_reasons` (Python), trainee by trainee, on the
    synthetic set seen on several days: as it stands, and as its cohorts move towards their end."""
    build(*LARGER)
    thresholds = AtRiskThresholds.from_settings()
    regions = {row.region_id for row in TraineeFigures.objects.all()}
    compared = 0
    for shift in (0, 7, 21):
        today = timezone.localdate() + dt.timedelta(days=shift)
        candidates = TraineeFigures.objects.filter(
            complete=False, cohort__starts_on__lte=today, cohort__ends_on__gte=today
        ).exclude(status="withdrawn")
        named = {
            row.pk for row in candidates if risk_reasons(row, today=today, thresholds=thresholds)
        }
        found = {
            row.pk
            for region in regions
            for row in at_risk_figures(region=region, today=today, thresholds=thresholds)
        }
        assert found == named, shift
        compared += len(named)
    assert compared > 0
