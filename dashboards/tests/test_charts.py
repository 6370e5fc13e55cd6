"""The dashboards' charts: SVG that parses, one bar per datum with its value, nothing the
Content-Security-Policy would refuse, a message instead of an empty axis, and the partial that
shows the chart with its data as a table."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString

from dashboards import charts
from dashboards.charts import completions_per_week_svg, regions_bar_svg

SVG = "{http://www.w3.org/2000/svg}"
MONDAY = dt.date(2025, 3, 3)


def weeks(*counts: int) -> list[tuple[dt.date, int]]:
    return [(MONDAY + dt.timedelta(days=7 * i), count) for i, count in enumerate(counts)]


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def bar_titles(root: ET.Element) -> list[str]:
    """The <title> of each bar or column, in drawing order."""
    return [
        rect.find(f"{SVG}title").text
        for group in root.iter(f"{SVG}g")
        if group.get("class") in ("series bars", "series columns")
        for rect in group.iter(f"{SVG}rect")
    ]


def bars(root: ET.Element) -> dict[str, ET.Element]:
    return {
        rect.find(f"{SVG}title").text: rect
        for group in root.iter(f"{SVG}g")
        if group.get("class") in ("series bars", "series columns")
        for rect in group.iter(f"{SVG}rect")
    }


def assert_csp_safe(markup: str) -> None:
    """What the CSP (script-src/style-src 'self', nothing from elsewhere) would refuse or what
    could run: none of it may be in the markup."""
    lowered = markup.lower()
    assert "<script" not in lowered
    assert "<style" not in lowered
    # Attributes live inside tags; text (where < and > are escaped) may say anything.
    tags = " ".join(re.findall(r"<[^>]*>", lowered))
    assert not re.search(r"\sstyle\s*=", tags)
    assert not re.search(r"\son[a-z]+\s*=", tags)
    assert "javascript:" not in tags
    assert "href" not in tags
    # The SVG namespace is a name, not a fetch; any other URL is refused.
    assert set(re.findall(r"https?://[^\s\"'<>]+", markup)) <= {"http://www.w3.org/2000/svg"}
    assert "url(" not in lowered


# Completions per week ---------------------------------------------------------------------------


def test_week_chart_one_column_per_week_with_its_value():
    chart = completions_per_week_svg(weeks(0, 3, 12, 5), title="Completions per week")
    root = parse(chart.svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert bar_titles(root) == [
        "week of 03/03/2025: 0",
        "week of 03/10/2025: 3",
        "week of 03/17/2025: 12",
        "week of 03/24/2025: 5",
    ]
    # Heights follow the values: 12 is four times 3, 0 has none.
    heights = [float(rect.get("height")) for rect in bars(root).values()]
    assert heights[0] == 0
    assert heights[2] == pytest.approx(4 * heights[1])
    assert heights[3] == pytest.approx(5 / 3 * heights[1])
    assert_csp_safe(chart.svg)


def test_week_chart_is_labelled_by_its_title_and_description():
    chart = completions_per_week_svg(weeks(1, 2), title="Completions per week")
    root = parse(chart.svg)
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"{SVG}title").get("id") == title_id
    assert root.find(f"{SVG}title").text == "Completions per week"
    assert root.find(f"{SVG}desc").get("id") == desc_id
    assert (
        root.find(f"{SVG}desc").text == "3 completions over 2 weeks, from 03/03/2025 to 03/10/2025."
    )
    # Scalable: a viewBox, no fixed size that would overflow a phone.
    assert root.get("viewBox") and root.get("width") is None
    # Two charts on a page do not share ids.
    assert parse(completions_per_week_svg(weeks(1, 2), title="x").svg).get("aria-labelledby") != (
        root.get("aria-labelledby")
    )


def test_week_chart_numbers_are_russian():
    with translation.override("ru"):
        chart = completions_per_week_svg(weeks(1234, 0), title="Завершения")
    root = parse(chart.svg)
    assert bar_titles(root) == ["неделя с 03.03.2025: 1\u00a0234", "неделя с 10.03.2025: 0"]
    labels = [text.text for text in root.iter(f"{SVG}text")]
    assert "1\u00a0000" in labels  # the axis too
    assert "03.03" in labels
    assert chart.rows[0] == ("неделя с 03.03.2025", "1\u00a0234")


@pytest.mark.parametrize("data", [[], weeks(0, 0, 0)])
def test_week_chart_without_completions_is_a_message(data):
    chart = completions_per_week_svg(data, title="Completions per week")
    assert chart.svg is None
    assert chart.empty_message == "No completions in this period."
    assert str(chart) == ""


def test_week_chart_with_one_completion_is_drawn():
    """The boundary of the empty case: a single completion is a chart."""
    chart = completions_per_week_svg(weeks(0, 1, 0), title="Completions per week")
    assert chart.svg is not None
    assert len(bar_titles(parse(chart.svg))) == 3


def test_many_weeks_label_only_some_but_draw_all():
    chart = completions_per_week_svg(weeks(*range(1, 53)), title="A year")
    root = parse(chart.svg)
    assert len(bar_titles(root)) == 52
    bottom = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "axis bottom")
    shown = [t.text for t in bottom.iter(f"{SVG}text") if t.text]
    assert 2 <= len(shown) <= charts.WEEK_LABELS


# Regions side by side ---------------------------------------------------------------------------


def test_regions_one_bar_per_region_with_its_rate():
    rows = [("Tambov", Decimal("72.5")), ("Yugra", 40.0), ("Crimea", Decimal("100"))]
    chart = regions_bar_svg(rows, title="Completion rate by region")
    root = parse(chart.svg)
    drawn = bars(root)
    assert set(drawn) == {"Tambov: 72.5\u00a0%", "Yugra: 40.0\u00a0%", "Crimea: 100.0\u00a0%"}
    widths = {title.split(":")[0]: float(rect.get("width")) for title, rect in drawn.items()}
    assert widths["Tambov"] == pytest.approx(widths["Crimea"] * 0.725)
    assert widths["Yugra"] == pytest.approx(widths["Crimea"] * 0.4)
    # Each bar sits on its own region's label row (leather draws them bottom-up).
    left = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "axis left")
    label_y = {t.text: float(t.get("y")) for t in left.iter(f"{SVG}text")}
    for title, rect in drawn.items():
        middle = float(rect.get("y")) + float(rect.get("height")) / 2
        assert middle == pytest.approx(label_y[title.split(":")[0]], abs=0.5)
    assert chart.rows == [
        ("Tambov", "72.5\u00a0%"),
        ("Yugra", "40.0\u00a0%"),
        ("Crimea", "100.0\u00a0%"),
    ]
    assert_csp_safe(chart.svg)


def test_regions_counts_and_russian_format():
    with translation.override("ru"):
        chart = regions_bar_svg(
            [("Тамбовская область", 1500), ("Югра", 30)], title="Сертификаты", percent=False
        )
        rate = regions_bar_svg([("Тамбовская область", Decimal("12.5"))], title="Доля")
    assert set(bars(parse(chart.svg))) == {"Тамбовская область: 1\u00a0500", "Югра: 30"}
    assert set(bars(parse(rate.svg))) == {"Тамбовская область: 12,5\u00a0%"}
    assert parse(rate.svg).find(f"{SVG}desc").text == "Сравнивается 1 регион."


def test_region_without_a_rate_has_no_bar_but_keeps_its_row():
    chart = regions_bar_svg([("Tambov", 50), ("Yugra", None)], title="Completion rate")
    root = parse(chart.svg)
    assert set(bars(root)) == {"Tambov: 50.0\u00a0%"}
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert "Yugra (no data)" in labels
    assert chart.rows == [("Tambov", "50.0\u00a0%"), ("Yugra", "—")]


@pytest.mark.parametrize("rows", [[], [("Tambov", None)]])
def test_regions_without_figures_is_a_message(rows):
    chart = regions_bar_svg(rows, title="Completion rate")
    assert chart.svg is None
    assert chart.empty_message == "No figures to show for these filters."


def test_region_names_are_data_not_markup():
    """A name with markup in it is escaped text; a region of 85 draws 85 bars."""
    evil = '<script>alert(1)</script><style>x{}</style>" onload="x'
    rows = [(evil, 10.0)] + [(f"Region {i}", float(i)) for i in range(84)]
    chart = regions_bar_svg(rows, title='<style>" style="x')
    root = parse(chart.svg)
    assert len(bar_titles(root)) == 85
    assert f"{evil}: 10.0\u00a0%" in bars(root)
    assert_csp_safe(chart.svg)


# A phone's drawing -------------------------------------------------------------------------------


def view_box_width(markup: str) -> float:
    return float(parse(markup).get("viewBox").split()[2])


def axis_labels(markup: str, side: str) -> list[str]:
    axis = next(g for g in parse(markup).iter(f"{SVG}g") if g.get("class") == f"axis {side}")
    return [text.text for text in axis.iter(f"{SVG}text") if text.text]


def test_week_chart_has_a_narrow_drawing_with_fewer_labels_and_the_same_columns():
    chart = completions_per_week_svg(weeks(*range(1, 53)), title="A year")
    wide, narrow = chart.svg, chart.narrow_svg
    # Drawn about as wide as a phone's column, so that its 14-unit labels stay about 14 px.
    assert view_box_width(wide) == charts.WIDTH
    assert charts.NARROW_WIDTH <= view_box_width(narrow) < charts.WIDTH / 1.5
    assert bar_titles(parse(narrow)) == bar_titles(parse(wide))
    assert 2 <= len(axis_labels(narrow, "bottom")) <= charts.NARROW_WEEK_LABELS
    assert len(axis_labels(narrow, "bottom")) < len(axis_labels(wide, "bottom"))
    assert parse(narrow).get("aria-labelledby") != parse(wide).get("aria-labelledby")
    assert_csp_safe(narrow)


def test_a_narrow_chart_keeps_room_for_its_last_axis_label():
    """leather centres «100 %» on the right edge; its 5 % margin holds it at 640, not at 360."""
    chart = regions_bar_svg([("Tambov", 50)], title="x")
    assert view_box_width(chart.svg) == charts.WIDTH
    assert view_box_width(chart.narrow_svg) == charts.NARROW_WIDTH + charts.EDGE_LABEL - 18


def test_regions_narrow_drawing_shortens_the_names_but_not_their_titles():
    rows = [
        ("Республика Марий Эл", Decimal("35.2")),
        ("Тамбовская область", Decimal("23.5")),
        ("Ханты-Мансийский автономный округ — Югра", None),
        ("Карачаево-Черкесская Республика", Decimal("24.3")),
    ]
    with translation.override("ru"):
        chart = regions_bar_svg(rows, title="Доля завершивших")
    # leather draws the rows bottom-up.
    assert axis_labels(chart.narrow_svg, "left")[::-1] == [
        "Респ. Марий Эл",
        "Тамбовская обл.",
        "Ханты-Мансийский… (—)",
        "Карачаево-Черкесс…",
    ]
    assert axis_labels(chart.svg, "left")[::-1] == [
        "Республика Марий Эл",
        "Тамбовская область",
        "Ханты-Мансийский автономный округ — Югра (нет данных)",
        "Карачаево-Черкесская Республика",
    ]
    assert (
        set(bars(parse(chart.narrow_svg)))
        == set(bars(parse(chart.svg)))
        == {
            "Республика Марий Эл: 35,2\u00a0%",
            "Тамбовская область: 23,5\u00a0%",
            "Карачаево-Черкесская Республика: 24,3\u00a0%",
        }
    )
    assert_csp_safe(chart.narrow_svg)


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("Курская область", "Курская обл."),
        ("Сахалинская обл.", "Сахалинская обл."),
        ("Ставропольский край", "Ставропольский кр…"),  # 19 characters: cut to 18
        ("Краснодарский кра", "Краснодарский кра"),  # 17: whole
        ("Нижегородская обл", "Нижегородская обл"),  # 18: whole
    ],
)
def test_narrow_names_are_at_most_their_length(name, shown):
    assert charts._cut(name, charts.NARROW_NAME) == shown
    assert len(shown) <= charts.NARROW_NAME


def test_partial_shows_one_drawing_for_a_desk_and_one_for_a_phone():
    chart = completions_per_week_svg(weeks(1, 2), title="Completions per week")
    html = render_to_string("dashboards/includes/chart.html", {"chart": chart})
    assert html.count('<div class="lms-chart-wide">') == 1
    assert html.count('<div class="lms-chart-narrow">') == 1
    assert chart.svg in html and chart.narrow_svg in html
    assert html.index(chart.svg) < html.index(chart.narrow_svg)  # the desk's first
    assert_csp_safe(html)


# The sanitiser ----------------------------------------------------------------------------------


def test_sanitiser_drops_what_the_csp_refuses():
    root = ET.fromstring(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1" style="color:red" onload="x()">'
        '<g class="a" style="fill:red"><rect width="1" fill="url(https://evil.example/x)" '
        'onclick="y()" href="https://evil.example"/>'
        '<text font-family="Monaco" x="1">ok</text></g></svg>'
    )
    markup = charts._sanitise(root)
    assert isinstance(markup, SafeString)
    assert_csp_safe(markup)
    assert "font-family" not in markup
    assert 'viewBox="0 0 1 1"' in markup and 'class="a"' in markup and ">ok</text>" in markup


@pytest.mark.parametrize("tag", ["script", "style", "foreignObject", "image", "a", "use"])
def test_sanitiser_refuses_an_unknown_element(tag):
    root = ET.fromstring(f'<svg xmlns="http://www.w3.org/2000/svg"><g><{tag}/></g></svg>')
    with pytest.raises(charts.UnsafeChart):
        charts._sanitise(root)


@pytest.mark.parametrize(
    "name", ["style", "onload", "onclick", "href", "xlink:href", "font-family"]
)
def test_sanitiser_drops_an_attribute_not_on_the_list_whatever_its_value(name):
    # A plain value, with nothing the value checks catch: the name alone decides.
    element = ET.Element("rect", {"width": "1", name: "x"})
    root = ET.Element("svg")
    root.append(element)
    rect = parse(charts._sanitise(root)).find(f"{SVG}rect")
    assert rect.attrib == {"width": "1"}


@pytest.mark.parametrize(
    "value",
    [
        "url(#pattern)",  # a reference, even to the page's own element
        "javascript:alert(1)",  # a scheme
        "https://evil.example/x.svg",
        "red&amp;blue",  # an entity written into a value
        "u\\72l(#pattern)",  # a CSS escape spelling url(
    ],
)
def test_sanitiser_drops_a_value_that_could_reach_out(value):
    root = ET.fromstring(
        f'<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" fill="{value}" class="{value}"/>'
        "</svg>"
    )
    markup = charts._sanitise(root)
    rect = parse(markup).find(f"{SVG}rect")
    assert rect.get("fill") is None and rect.get("class") is None
    assert rect.get("width") == "1"


def test_the_axis_steps_are_round_numbers_reaching_the_top():
    def steps(*counts: int) -> list[int]:
        root = parse(completions_per_week_svg(weeks(*counts), title="x").svg)
        left = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "axis left")
        return sorted(int(t.text) for t in left.iter(f"{SVG}text"))

    assert steps(10, 4) == [0, 2, 4, 6, 8, 10]
    assert steps(12, 4) == [0, 5, 10, 15]


def test_light_grey_labels_are_darkened():
    root = parse(completions_per_week_svg(weeks(1, 2), title="x").svg)
    fills = {text.get("fill") for text in root.iter(f"{SVG}text")}
    assert "#9c9c9c" not in fills and "#495057" in fills


# The partial ------------------------------------------------------------------------------------


def test_partial_shows_the_chart_and_its_table():
    chart = regions_bar_svg(
        [("Tambov", 72.5), ("Yugra <b>", None)], title="Completion rate by region"
    )
    html = render_to_string("dashboards/includes/chart.html", {"chart": chart})
    assert chart.svg in html
    assert_csp_safe(html)
    assert "<details" in html and "<table" in html
    assert "<caption>Completion rate by region</caption>" in html
    assert '<th scope="col">Region</th>' in html
    assert '<th scope="row">Tambov</th><td class="text-end">72.5\u00a0%</td>' in html
    assert '<th scope="row">Yugra &lt;b&gt;</th><td class="text-end">—</td>' in html


def test_partial_for_no_data_shows_the_message():
    chart = completions_per_week_svg([], title="Completions per week")
    html = render_to_string("dashboards/includes/chart.html", {"chart": chart})
    assert "No completions in this period." in html
    assert "<svg" not in html and "<table" not in html


def test_partial_for_weeks_without_completions_keeps_the_table():
    chart = completions_per_week_svg(weeks(0, 0), title="Completions per week")
    html = render_to_string("dashboards/includes/chart.html", {"chart": chart})
    assert "No completions in this period." in html and "<svg" not in html
    assert '<th scope="row">week of 03/03/2025</th>' in html


# Drawn once ---------------------------------------------------------------------------------------


def test_a_chart_is_drawn_once_for_the_same_data_title_and_language(monkeypatch):
    drawings = []
    real = charts._document
    monkeypatch.setattr(
        charts,
        "_document",
        lambda *args, **kwargs: (
            (kwargs["width"] == charts.WIDTH and drawings.append(1)) or real(*args, **kwargs)
        ),
    )
    regions_bar_svg.cache_clear()
    rows = [("Тамбовская область", Decimal("62.5")), ("Югра", None)]

    with translation.override("ru"):
        first = regions_bar_svg(rows, title="Доля завершивших")
        again = regions_bar_svg(list(rows), title="Доля завершивших")
        assert len(drawings) == 1
        # Each shown with ids of its own, the drawing otherwise the same.
        assert first.svg != again.svg
        assert re.sub(r"chart-\w+-", "", first.svg) == re.sub(r"chart-\w+-", "", again.svg)
        assert parse(first.svg).get("aria-labelledby") != parse(again.svg).get("aria-labelledby")
        # Other figures, another title: drawn anew.
        changed = regions_bar_svg([("Тамбовская область", Decimal("70"))], title="Доля")
        assert len(drawings) == 2
        assert set(bars(parse(changed.svg))) == {"Тамбовская область: 70,0\u00a0%"}
        regions_bar_svg(rows, title="Другое название")
        assert len(drawings) == 3
    # Another language: drawn anew, in its own number format.
    with translation.override("en"):
        english = regions_bar_svg(rows, title="Доля завершивших")
    assert len(drawings) == 4
    assert set(bars(parse(english.svg))) == {"Тамбовская область: 62.5\u00a0%"}
    assert set(bars(parse(first.svg))) == {"Тамбовская область: 62,5\u00a0%"}


def test_the_week_chart_is_drawn_once_too(monkeypatch):
    drawings = []
    real = charts._document
    monkeypatch.setattr(
        charts,
        "_document",
        lambda *args, **kwargs: (
            (kwargs["width"] == charts.WIDTH and drawings.append(1)) or real(*args, **kwargs)
        ),
    )
    completions_per_week_svg.cache_clear()

    first = completions_per_week_svg(weeks(3, 1), title="Completions per week")
    completions_per_week_svg(weeks(3, 1), title="Completions per week")
    assert len(drawings) == 1
    other = completions_per_week_svg(weeks(3, 2), title="Completions per week")
    assert len(drawings) == 2
    assert bar_titles(parse(other.svg))[-1].endswith(": 2")
    assert bar_titles(parse(first.svg))[-1].endswith(": 1")
