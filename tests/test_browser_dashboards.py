"""Browser journey of the dashboards, on the demo school: a regional official opens theirs, sees
the chart and the trainees at risk, downloads the cohorts' table, drills down to one trainee's
record, and again region → cohort dashboard → a trainee's record; a federal official sorts the
regions."""

import re
from io import BytesIO

from openpyxl import load_workbook

from tests.browser import BROWSER_TEST, new_page, serious_violations, sign_in

pytestmark = BROWSER_TEST


def test_regional_official_drills_down_and_federal_official_sorts(demo_browser):
    from playwright.sync_api import expect

    chromium, base = demo_browser
    page = new_page(chromium)
    sign_in(page, base, "official")
    page.get_by_role("link", name="Показатели", exact=True).first.click()
    # A regional official lands on their own region.
    expect(page).to_have_url(re.compile(r"/dashboards/regions/68/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Тамбовская область")
    chart = page.get_by_test_id("weekly-chart")
    expect(chart.locator("svg[role=img], p").first).to_be_visible()
    expect(page.get_by_test_id("cohorts")).to_contain_text("Группа 1")
    assert serious_violations(page) == []

    # The cohorts' table as XLSX, with the page's filters.
    with page.expect_download() as download:
        page.get_by_test_id("downloads").first.get_by_role("link", name=re.compile("XLSX")).click()
    sheet = load_workbook(BytesIO(download.value.path().read_bytes()), read_only=True).active
    cells = [str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell]
    assert "Группа 1" in cells

    at_risk = page.get_by_test_id("at-risk-row").first
    expect(at_risk).to_be_visible()
    name = at_risk.locator("th a").inner_text()
    at_risk.locator("th a").click()
    expect(page).to_have_url(re.compile(r"/records/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(name)

    # Region → the cohort's dashboard → a trainee's record, the way back by the breadcrumb.
    page.go_back()
    expect(page).to_have_url(re.compile(r"/dashboards/regions/68/$"))
    page.get_by_test_id("cohorts").get_by_role("link", name="Группа 1", exact=True).click()
    expect(page).to_have_url(re.compile(r"/dashboards/cohorts/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Группа 1")
    crumbs = page.get_by_test_id("breadcrumb")
    expect(crumbs.get_by_role("link", name="Тамбовская область")).to_be_visible()
    expect(crumbs.get_by_role("link", name="Сравнение регионов")).to_have_count(0)
    expect(page.get_by_test_id("cohort-figures")).to_be_visible()
    expect(page.get_by_test_id("cohort-page")).to_be_visible()
    trainees = page.get_by_test_id("trainee-row")
    expect(trainees.first).to_be_visible()
    assert serious_violations(page) == []
    with page.expect_download() as download:
        page.get_by_test_id("downloads").get_by_role("link", name=re.compile("XLSX")).click()
    sheet = load_workbook(BytesIO(download.value.path().read_bytes()), read_only=True).active
    file_names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(file_names) == trainees.count()
    trainee = trainees.first.locator("th a")
    name = trainee.inner_text()
    assert name == file_names[0]
    trainee.click()
    expect(page).to_have_url(re.compile(r"/records/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(name)

    # Another region's page does not exist for this official.
    response = page.goto(f"{base}/dashboards/regions/86/")
    assert response.status == 404

    federal = new_page(chromium)
    sign_in(federal, base, "federal")
    federal.goto(f"{base}/dashboards/")
    regions = federal.get_by_test_id("regions")
    expect(regions.locator("[data-testid=region-row]")).to_have_count(2)
    # One drawing for a desk, one for a phone: the desk's is shown.
    expect(federal.get_by_test_id("regions-chart").locator("svg:visible")).to_have_count(1)
    heading = regions.locator("thead th", has_text="Зачислено")
    heading.get_by_role("link").click()
    expect(heading).to_have_attribute("aria-sort", "descending")
    first = regions.locator("[data-testid=region-row] th a").first
    expect(first).to_have_text("Тамбовская область")  # 18 enrolled before Yugra's 6
    heading.get_by_role("link").click()
    expect(heading).to_have_attribute("aria-sort", "ascending")
    expect(first).to_have_text("Ханты-Мансийский автономный округ — Югра")
    assert serious_violations(federal) == []


# A name of 150 letters without a space (the longest a surname may be).
LONG_SURNAME = ("Длинноименнова" * 11)[:150]

# Each table wrapper that can scroll: whether it is a named region a keyboard can reach.
WRAPPERS = """
() => [...document.querySelectorAll(".table-responsive")]
  .filter((el) => el.offsetParent !== null)
  .map((el) => ({
    scrolls: el.scrollWidth > el.clientWidth,
    tabindex: el.getAttribute("tabindex"),
    role: el.getAttribute("role"),
    label: el.getAttribute("aria-label") || "",
  }))
"""


def test_the_cohort_dashboard_passes_axe_on_a_phone_and_long_names_wrap(demo_browser):
    """At 390 px the cohort dashboard's tables scroll in wrappers a keyboard can reach (axe's
    scrollable-region-focusable), in either mode; a surname of 150 letters breaks inside its
    cell instead of widening the trainees' and the at-risk tables at a desk."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from courses.models import Cohort

    assert len(LONG_SURNAME) == 150
    cohort = Cohort.objects.get(name="Группа 1", region__code="68")
    get_user_model().objects.filter(enrolments__cohort__region__code="68").update(
        last_name=LONG_SURNAME
    )
    chromium, base = demo_browser
    for low_vision in (False, True):
        page = new_page(chromium, viewport={"width": 390, "height": 900})
        if low_vision:
            page.context.add_cookies([{"name": "low_vision", "value": "1", "url": base}])
        sign_in(page, base, "official")
        page.goto(base + reverse("dashboards:cohort", args=(cohort.pk,)))
        wrappers = page.evaluate(WRAPPERS)
        assert any(wrapper["scrolls"] for wrapper in wrappers), wrappers
        for wrapper in wrappers:
            assert (wrapper["tabindex"], wrapper["role"]) == ("0", "region"), wrapper
            assert wrapper["label"], wrapper
        assert serious_violations(page) == [], f"low vision: {low_vision}"

        page.set_viewport_size({"width": 1280, "height": 900})
        for address, testid in (
            (reverse("dashboards:cohort", args=(cohort.pk,)), "trainees"),
            (reverse("dashboards:region", args=("68",)), "at-risk"),
        ):
            page.goto(base + address)
            name = page.get_by_test_id(testid).locator("tbody th").first
            assert LONG_SURNAME in name.inner_text()
            # Without `overflow-wrap: anywhere` the name is one line some 1,300 px wide, and
            # its column pushes the others out of the page.
            width, lines = name.locator("a").evaluate(
                "(a) => [a.closest('th').getBoundingClientRect().width, a.getClientRects().length]"
            )
            assert width < 800 and lines >= 2, f"{testid}: {width} px, {lines} line(s)"
        page.context.close()
