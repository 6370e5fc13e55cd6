"""Layout at every size: no page scrolls sideways on a phone, a tablet or a desk, in either mode.

Each role's main pages are opened once per mode in one context and measured at 390, 768 and
1280 pixels by resizing the window; a page fails when the document is wider than the window
(`document.documentElement.scrollWidth > window.innerWidth`). Wide tables scroll inside their
own wrapper. The header folds into a menu on a phone, and the gradebook keeps the names and the
summary columns in view.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from django.urls import reverse

from tests.browser import BROWSER_TEST, launch_chromium, new_page, sign_in

pytestmark = BROWSER_TEST

WIDTHS = (390, 768, 1280)
HEIGHT = 900
PROGRAMME = "Сопровождение участников СВО и членов их семей"
# Set LAYOUT_SCREENSHOTS=<folder> to keep a picture of each page at each width (to look at).
SCREENSHOTS = os.environ.get("LAYOUT_SCREENSHOTS")

# The document's width against the window's, and what sticks out (for a useful failure).
MEASURE = """
() => {
  const width = window.innerWidth;
  const wide = [];
  if (document.documentElement.scrollWidth > width) {
    const scrolls = (element) => {
      for (let up = element.parentElement; up; up = up.parentElement) {
        if (getComputedStyle(up).overflowX !== "visible") return true;
      }
      return false;
    };
    for (const element of document.body.querySelectorAll("*")) {
      const box = element.getBoundingClientRect();
      // What sticks out inside its own scrolling wrapper does not widen the page.
      // (unless it is positioned out of that wrapper's reach, as a visually hidden label can be).
      const escapes = ["absolute", "fixed"].includes(getComputedStyle(element).position);
      if (box.right > width + 1 && box.width > 0 && (escapes || !scrolls(element))) {
        const parent = element.parentElement;
        // Only the outermost offender of each branch.
        if (!parent || parent.getBoundingClientRect().right <= width + 1) {
          wide.push(`${element.tagName.toLowerCase()}.${[...element.classList].join(".")}`
            + ` (right edge ${Math.round(box.right)})`);
        }
      }
      if (wide.length >= 5) break;
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: width, wide};
}
"""


def _pages_by_role() -> dict[str, list[str]]:
    """Each role's main pages on the demo school, as paths."""
    from assessments.models import QuizPage
    from courses.models import CaseStudyPage, Cohort, LessonPage, ModulePage, ProgramPage
    from schedule.models import Session

    program = ProgramPage.objects.get(title=PROGRAMME)
    module = ModulePage.objects.child_of(program).live().order_by("path").first()
    lesson = LessonPage.objects.descendant_of(program).live().order_by("path").first()
    case = CaseStudyPage.objects.descendant_of(program).live().order_by("path").first()
    quiz = QuizPage.objects.descendant_of(program).live().order_by("path").first()
    cohort = Cohort.objects.get(name="Группа 1", region__code="68")
    session = Session.objects.filter(cohort=cohort).order_by("starts_at").first()
    teaching = [
        reverse("courses:cohort_list"),
        reverse("courses:cohort_detail", args=(cohort.pk,)),
        reverse("records:gradebook", args=(cohort.pk,)),
        reverse("assessments:queue", args=(cohort.pk,)),
        reverse("schedule:session", args=(session.pk,)),
    ]
    from certificates.batches import batch_start
    from certificates.codes import display_code
    from certificates.models import Certificate

    holder = Certificate.objects.get(cohort=cohort, trainee__username="trainee02")
    revoked = Certificate.objects.get(cohort=cohort, revoked_at__isnull=False)
    batch, _outcome = batch_start(cohort=cohort, started_by=None)
    running = [
        reverse("courses:cohort_list"),
        reverse("courses:cohort_detail", args=(cohort.pk,)),
        reverse("courses:import_upload", args=(cohort.pk,)),
        reverse("certificates:register"),
        reverse("certificates:detail", args=(revoked.pk,)),
        reverse("certificates:batch", args=(cohort.pk, batch.pk)),
        reverse("dashboards:region", args=("68",)),
        reverse("dashboards:cohort", args=(cohort.pk,)),
    ]
    return {
        "trainee01": [
            reverse("courses:learning"),
            program.url,
            module.url,
            lesson.url,
            case.url,
            quiz.url,
            reverse("schedule:mine"),
            reverse("notifications:list"),
            reverse("accounts:profile"),
        ],
        # A trainee who holds a certificate, and its verification page.
        "trainee02": [
            reverse("courses:learning"),
            reverse("records:mine"),
            reverse("privacy:my_data"),
            reverse("certificates:verify", args=(display_code(holder.code),)),
            reverse("certificates:verify", args=(display_code(revoked.code),)),
        ],
        "instructor": teaching,
        "official": running,
        "admin": [*teaching, *running[2:], reverse("dashboards:federal")],
        # The catalogue of programmes: Tambov's with Yugra's copy, behind by one change.
        "federal": [reverse("dashboards:federal"), reverse("replication:catalogue")],
    }


def _measure_every_width(page, label: str) -> list[str]:
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": HEIGHT})
        found = page.evaluate(MEASURE)
        if found["scrollWidth"] > found["innerWidth"]:
            problems.append(
                f"{label} at {width}px: {found['scrollWidth']}px wide — " + "; ".join(found["wide"])
            )
        if SCREENSHOTS:
            name = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
            page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}-{width}.png"), full_page=True)
    return problems


def test_no_page_scrolls_sideways_for_any_role_width_or_mode(demo_browser):
    chromium, base = demo_browser
    pages = _pages_by_role()
    problems = []
    visited = 0
    for low_vision in (False, True):
        for username, paths in pages.items():
            page = new_page(chromium, viewport={"width": WIDTHS[-1], "height": HEIGHT})
            if low_vision:
                page.context.add_cookies([{"name": "low_vision", "value": "1", "url": base}])
            sign_in(page, base, username)
            for path in paths:
                response = page.goto(base + path)
                assert response.status == 200, f"{username} {path}: {response.status}"
                assert ("low-vision" in (page.locator("html").get_attribute("class") or "")) == (
                    low_vision
                )
                mode = "low-vision" if low_vision else "normal"
                problems += _measure_every_width(page, f"{username} {path} ({mode})")
                visited += 1
            page.context.close()

    assert visited == 2 * sum(len(paths) for paths in pages.values())
    assert problems == [], "Pages wider than the window:\n" + "\n".join(problems)


def test_the_measure_really_catches_a_page_wider_than_the_window():
    """Guards the test above: a block wider than the window must be reported, one in its own
    scrolling wrapper must not."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        page = chromium.new_page(viewport={"width": 390, "height": HEIGHT})
        page.set_content(
            "<html><head><style>body { margin: 0 } .too-wide, .in-wrapper { width: 800px }"
            " .wrapper { overflow-x: auto }</style></head><body>"
            "<div class='wrapper'><div class='in-wrapper'>x</div></div>"
            "<div class='too-wide'>x</div></body></html>"
        )
        problems = _measure_every_width(page, "wide")
        page.evaluate("() => document.querySelector('.too-wide').remove()")
        wrapped = _measure_every_width(page, "wrapped")
        chromium.close()

    # Too wide at 390 and 768 px, not at 1280; the culprit is named.
    assert [line.split(":")[0] for line in problems] == ["wide at 390px", "wide at 768px"]
    assert "div.too-wide (right edge 800)" in problems[0]
    assert wrapped == []


def test_the_header_folds_into_a_menu_on_a_phone(demo_browser):
    from playwright.sync_api import expect

    chromium, base = demo_browser
    page = new_page(chromium, viewport={"width": 390, "height": HEIGHT})
    sign_in(page, base, "admin")
    menu = page.get_by_role("button", name="Меню")
    cohorts = page.locator("#main-nav").get_by_role("link", name="Группы")

    expect(menu).to_be_visible()
    expect(cohorts).to_be_hidden()
    menu.click()  # Bootstrap's collapse, served from our own static files
    expect(cohorts).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "true")
    scripts = page.locator("script[src]").evaluate_all("(nodes) => nodes.map((n) => n.src)")
    assert any(src.endswith("/bootstrap.bundle.min.js") for src in scripts)
    assert all(src.startswith(base + "/static/") for src in scripts), scripts

    # At a desk the whole menu is in the bar, in one row.
    page.set_viewport_size({"width": 1280, "height": HEIGHT})
    expect(menu).to_be_hidden()
    expect(cohorts).to_be_visible()
    tops = page.locator("#main-nav .nav-item").evaluate_all(
        "(items) => items.map((item) => Math.round(item.getBoundingClientRect().top))"
    )
    assert len(set(tops)) == 1, tops
    page.context.close()


def test_the_gradebook_keeps_names_and_summary_in_view(demo_browser):
    from playwright.sync_api import expect

    from courses.models import Cohort

    chromium, base = demo_browser
    cohort = Cohort.objects.get(name="Группа 1", region__code="68")
    page = new_page(chromium, viewport={"width": 390, "height": 700}, reduced_motion="reduce")
    sign_in(page, base, "instructor")
    page.goto(base + reverse("records:gradebook", args=(cohort.pk,)))
    region = page.get_by_role("region", name=re.compile("Оценки"))
    expect(region).to_have_attribute("tabindex", "0")

    # The table is wider than the phone: it scrolls inside its region, by keyboard too.
    sizes = region.evaluate("(el) => [el.scrollWidth, el.clientWidth]")
    assert sizes[0] > sizes[1]
    region.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    expect(region).to_be_focused()
    handle = region.element_handle()
    page.wait_for_function("(el) => el.scrollLeft > 0 && el.scrollTop > 0", arg=handle)
    # Half-way along and down, as a swipe would leave it (once any scrolling has settled).
    page.wait_for_function(
        """(el) => {
          el.scrollLeft = el.scrollWidth / 2; el.scrollTop = 300;
          const settled = el.scrollLeft === el.__last; el.__last = el.scrollLeft; return settled;
        }""",
        arg=handle,
        polling="raf",
    )

    box = region.bounding_box()
    name = page.locator(".gradebook tbody tr:first-child th").bounding_box()
    final = page.locator(".gradebook tbody tr:first-child td.gradebook-final").bounding_box()
    header = page.locator(".gradebook thead th").first.bounding_box()
    # The name stays at the left edge, the final grade at the right, the header at the top.
    assert abs(name["x"] - box["x"]) < 2
    assert final["x"] + final["width"] <= box["x"] + box["width"] + 1
    assert final["x"] >= name["x"] + name["width"] - 1
    assert abs(header["y"] - box["y"]) < 2
    page.context.close()


# How a chart's labels come out on screen: the drawing's scale times leather's 14-unit font.
CHART_FONT = """
(figure) => [...figure.querySelectorAll("svg.lms-chart")]
  .filter((svg) => svg.getBoundingClientRect().width > 0)
  .map((svg) => svg.getBoundingClientRect().width / svg.viewBox.baseVal.width * 14)
"""


def test_the_dashboards_fit_a_desk_and_keep_charts_readable_on_a_phone(demo_browser):
    """At 1280 px the regions' eleven columns fit without scrolling, the names on two lines at
    most, the sorted column marked; at 390 px the table scrolls in its wrapper (the page never,
    as above) and each chart shows the drawing made for a phone, its labels at a readable size."""
    from playwright.sync_api import expect

    chromium, base = demo_browser
    page = new_page(chromium, viewport={"width": 1280, "height": HEIGHT})
    sign_in(page, base, "admin")
    page.goto(base + reverse("dashboards:federal") + "?sort=-completion_rate")
    table = page.get_by_test_id("regions")
    wrapper = page.locator(".table-responsive", has=table)
    assert table.locator("thead th").count() == 11
    scroll, client = wrapper.evaluate("(el) => [el.scrollWidth, el.clientWidth]")
    assert scroll <= client, f"the regions' table scrolls at 1280 px: {scroll} > {client}"
    lines = table.locator("tbody th a").evaluate_all(
        "(links) => links.map((a) => [a.textContent, a.getClientRects().length])"
    )
    assert any(name.startswith("Ханты-Мансийский") for name, _count in lines)
    assert all(count <= 2 for _name, count in lines), lines
    sorted_heading = table.locator("thead th[aria-sort=descending]")
    expect(sorted_heading).to_contain_text("Доля завершивших")
    expect(sorted_heading.locator(".sort-mark")).to_have_text("▼")
    expect(sorted_heading.locator(".sort-mark")).to_be_visible()
    chart = page.get_by_test_id("regions-chart")
    assert chart.locator("svg.lms-chart:visible").count() == 1
    assert min(chart.evaluate(CHART_FONT)) >= 13

    page.set_viewport_size({"width": 390, "height": HEIGHT})
    scroll, client = wrapper.evaluate("(el) => [el.scrollWidth, el.clientWidth]")
    assert scroll > client  # the table scrolls inside its wrapper on a phone
    assert chart.locator("svg.lms-chart:visible").count() == 1
    expect(chart.locator(".lms-chart-narrow svg")).to_be_visible()
    expect(chart.locator(".lms-chart-wide svg")).to_be_hidden()
    assert min(chart.evaluate(CHART_FONT)) >= 12

    # A region's weeks: the phone's drawing, its labels at a readable size, as at a desk.
    page.goto(base + reverse("dashboards:region", args=("68",)))
    weekly = page.get_by_test_id("weekly-chart")
    expect(weekly.locator(".lms-chart-narrow svg")).to_be_visible()
    expect(weekly.locator(".lms-chart-wide svg")).to_be_hidden()
    assert min(weekly.evaluate(CHART_FONT)) >= 12
    assert page.evaluate(MEASURE)["wide"] == []
    page.set_viewport_size({"width": 1280, "height": HEIGHT})
    expect(weekly.locator(".lms-chart-wide svg")).to_be_visible()
    expect(weekly.locator(".lms-chart-narrow svg")).to_be_hidden()
    assert min(weekly.evaluate(CHART_FONT)) >= 13
    page.context.close()
