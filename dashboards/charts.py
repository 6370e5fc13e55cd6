"""Charts for the dashboards: SVG drawn on the server by leather, made safe for the page.

The site's Content-Security-Policy allows no inline script or style (script-src/style-src
'self'), and an SVG embedded in the HTML is part of the page. leather draws with presentation
attributes only (fill, stroke, font-size), never <style>, style= or <script>, so its output
needs no rewriting of CSS; it still goes through `_sanitise`, an allowlist of elements and
attributes, before `mark_safe`, so that nothing a later leather (or a region's name) brings in
can reach the page. The font comes from static/css/site.css (`.lms-chart text`), not from an
attribute, so the chart uses the page's font.

Every chart is `role="img"` with a <title> and <desc> it is labelled by, each bar carries a
<title> with its label and value (a tooltip, and what the tests read back), and numbers are
formatted for the active language (Russian by default: "1 234", "12,5 %"). The same data goes
into the table of templates/dashboards/includes/chart.html for screen readers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
import secrets
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import Decimal

import leather
from django.utils.formats import date_format, number_format
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

WIDTH = 640  # SVG user units; the chart scales to its container through viewBox
BAR_COLOR = "#0d6efd"  # Bootstrap's primary blue, 4.5:1 on white and on leather's grey
ROW_HEIGHT = 24  # per region in the horizontal bar chart
WEEK_LABELS = 8  # at most this many week labels under the columns; the rest stay blank
# A phone's column is about 360 px: at 640 units the 14-unit labels would shrink to 8 px, so a
# second drawing this wide is shown there instead (static/css/site.css), its labels at about
# their own size: fewer week labels, region names cut short (the table has them whole).
NARROW_WIDTH = 360
NARROW_WEEK_LABELS = 4
NARROW_NAME = 18  # characters of a region's name on a phone's chart
# Half the width of the widest axis label («100 %»), in user units: room kept right of a chart.
EDGE_LABEL = 24
# On a phone's chart the words every other region's name has: shortened as Russian does.
NARROW_WORDS = {
    "Республика": "Респ.",
    "автономный округ": "АО",
    "автономная область": "АО",
    "область": "обл.",
}
# Charts drawn and kept per process, by everything they are drawn from (see `_drawn_once`).
KEPT = 64
# The part of a chart's ids unique to it: drawn as this, replaced with a random one each time the
# chart is shown.
ID_PLACEHOLDER = "0000"

SVG_NAMESPACE = "{http://www.w3.org/2000/svg}"

# leather's light grey labels fall short of WCAG's 4.5:1; these darker ones do not.
COLORS = {"#9c9c9c": "#495057", "#666": "#495057", "#333": "#212529", "#f9f9f9": "#ffffff"}

# What may stay in a chart: leather's vocabulary plus what we add for accessibility.
ALLOWED_TAGS = frozenset({"svg", "g", "rect", "line", "path", "circle", "text", "title", "desc"})
ALLOWED_ATTRIBUTES = frozenset(
    {
        "xmlns",
        "version",
        "viewBox",
        "preserveAspectRatio",
        "role",
        "aria-labelledby",
        "aria-hidden",
        "focusable",
        "id",
        "class",
        "transform",
        "x",
        "y",
        "x1",
        "y1",
        "x2",
        "y2",
        "dy",
        "cx",
        "cy",
        "r",
        "d",
        "width",
        "height",
        "fill",
        "stroke",
        "stroke-width",
        "stroke-dasharray",
        "text-anchor",
        "font-size",
    }
)


class UnsafeChart(ValueError):
    """The drawing holds an element the allowlist does not know: refuse it, show no chart."""


@dataclass(frozen=True)
class Chart:
    """A chart for the partial: the SVG (None when there is nothing to draw), the message shown
    instead, and the same data as table rows for screen readers."""

    title: str
    svg: SafeString | None
    empty_message: str
    label_heading: str
    value_heading: str
    rows: list[tuple[str, str]]
    narrow_svg: SafeString | None = None  # the same chart drawn for a phone

    def __html__(self) -> str:
        """`{{ chart }}` in a template shows the (sanitised) SVG."""
        return self.svg or ""

    def __str__(self) -> str:
        return self.__html__()


# Formatting ----------------------------------------------------------------------------------


def format_count(value: int) -> str:
    """A whole number with the language's grouping: "1 234" in Russian (no-break space)."""
    return number_format(value, 0, force_grouping=True)


def format_percent(value: float | Decimal) -> str:
    """A rate in per cent with one decimal: "12,5 %" in Russian (no-break space before %)."""
    return f"{number_format(value, 1, force_grouping=True)}\u00a0%"


def _percent_tick(value: float) -> str:
    """An axis step in per cent, whole: "25 %"."""
    return f"{number_format(int(value), 0)}\u00a0%"


def _nice_ticks(top: float, *, count: int = 5, whole: bool = True) -> list[float]:
    """Round axis steps (1, 2, 5 × 10ⁿ) from 0 past `top`, whole numbers for counts."""
    if top <= 0:
        return [0, 1]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    if whole:
        step = max(1, round(step))
    steps = math.ceil(top / step)
    return [i * step for i in range(steps + 1)]


# Safety --------------------------------------------------------------------------------------


def _sanitise(root: ET.Element) -> SafeString:
    """Keep only allowlisted elements and attributes, then serialise; the one place charts are
    marked safe. An unknown element refuses the whole chart rather than showing part of it; an
    unknown attribute (style=, on*=, href, font-family) is dropped, and so is any value that
    could reach out (url(...), a scheme such as javascript: or https:)."""
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.startswith(SVG_NAMESPACE):
            element.tag = element.tag[len(SVG_NAMESPACE) :]  # a parsed tree: plain names
        if element.get("fill") in COLORS:
            element.set("fill", COLORS[element.get("fill")])
        if not isinstance(element.tag, str) or element.tag not in ALLOWED_TAGS:
            raise UnsafeChart(f"unexpected element {element.tag!r} in a chart")
        for name, value in list(element.attrib.items()):
            lowered = value.lower()
            if (
                name not in ALLOWED_ATTRIBUTES
                or "url(" in lowered
                or ":" in lowered
                or "&" in lowered
                or "\\" in lowered
            ):
                if name == "xmlns" and value == "http://www.w3.org/2000/svg":
                    continue
                del element.attrib[name]
    root.set("xmlns", "http://www.w3.org/2000/svg")
    # ElementTree escapes text and attribute values; the text of titles and labels is data.
    return mark_safe(ET.tostring(root, encoding="unicode"))  # noqa: S308 - sanitised above


def _document(
    chart: leather.Chart, *, width: int, height: int, title: str, desc: str
) -> ET.Element:
    """leather's drawing inside our own <svg>: scalable (viewBox, no fixed size), an image to
    assistive technology, labelled by its title and description.

    leather centres the last label of a horizontal axis («100 %») on the chart's right edge,
    and its margin (5 % of the width) is too small for it in a narrow drawing: the viewBox
    leaves room for it."""
    uid = ID_PLACEHOLDER  # each chart shown gets its own (see `_drawn_once`)
    room = max(0, EDGE_LABEL - round(width * 0.05))
    root = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {width + room} {height}",
            "role": "img",
            "aria-labelledby": f"chart-{uid}-title chart-{uid}-desc",
            "class": "lms-chart",
        },
    )
    title_element = ET.SubElement(root, "title", id=f"chart-{uid}-title")
    title_element.text = title
    desc_element = ET.SubElement(root, "desc", id=f"chart-{uid}-desc")
    desc_element.text = desc
    root.append(chart.to_svg_group(width, height))
    return root


def _title_shapes(group: ET.Element, series_class: str, titles: list[str]) -> None:
    """Give each bar its <title> (a tooltip, and read back by the tests), in drawing order."""
    shapes = [
        shape
        for series in group.iter("g")
        if series.get("class") == series_class
        for shape in series.iter("rect")
    ]
    if len(shapes) != len(titles):
        raise UnsafeChart("leather drew a different number of shapes than there are data")
    for shape, text in zip(shapes, titles, strict=True):
        ET.SubElement(shape, "title").text = text


# Charts --------------------------------------------------------------------------------------


def _drawn_once(draw):
    """Draw a chart once for the same data, title and language, and keep it.

    A chart is a function of its arguments and the active language alone, so the kept one can
    never be out of date: other figures are other arguments, hence another chart. Drawing is not
    cheap (leather, then `_sanitise` parsing it again: 3 ms for the 85 regions' bars, an eighth of
    the federal page), and officials open the same dashboards again and again between two changes
    of their figures. A Chart is frozen and its rows are only read; its ids get a new random part
    each time it is shown, so that two charts on one page never share one.
    """
    kept = functools.lru_cache(maxsize=KEPT)(
        lambda language, data, options: draw(list(data), **dict(options))
    )

    def fresh_ids(svg: SafeString | None, uid: str) -> SafeString | None:
        # The placeholder is ours, in ids only, and what replaces it is hex: the SVG stays safe.
        if svg is None:
            return None
        return mark_safe(svg.replace(f"chart-{ID_PLACEHOLDER}-", f"chart-{uid}-"))  # noqa: S308

    @functools.wraps(draw)
    def drawn(data, **options) -> Chart:
        # A lazy translation is keyed by its text (the language is part of the key anyway).
        frozen = tuple(
            sorted(
                (name, str(value) if isinstance(value, Promise) else value)
                for name, value in options.items()
            )
        )
        chart = kept(get_language(), tuple(data), frozen)
        if chart.svg is None:
            return chart
        return dataclasses.replace(
            chart,
            svg=fresh_ids(chart.svg, secrets.token_hex(4)),
            narrow_svg=fresh_ids(chart.narrow_svg, secrets.token_hex(4)),
        )

    drawn.cache_clear = kept.cache_clear
    return drawn


@_drawn_once
def completions_per_week_svg(weeks: list[tuple[dt.date, int]], *, title: str) -> Chart:
    """Completions per week as columns, one per week (the first day of each on the axis).

    `weeks` comes from `dashboards.selectors.weekly_completions` as (week_start, count), every
    week present, the empty ones with 0. No weeks, or weeks without a single completion, give no
    chart but a message: an empty axis says nothing.
    """
    rows = [
        (
            _("week of %(day)s") % {"day": date_format(start, "SHORT_DATE_FORMAT")},
            format_count(count),
        )
        for start, count in weeks
    ]
    common = {
        "title": title,
        "label_heading": _("Week"),
        "value_heading": _("Completions"),
        "rows": rows,
    }
    if not weeks or not any(count for _start, count in weeks):
        return Chart(svg=None, empty_message=_("No completions in this period."), **common)

    total = sum(count for _start, count in weeks)
    desc = ngettext(
        "%(total)s completion over %(weeks)s week, from %(first)s to %(last)s.",
        "%(total)s completions over %(weeks)s weeks, from %(first)s to %(last)s.",
        total,
    ) % {
        "total": format_count(total),
        "weeks": format_count(len(weeks)),
        "first": date_format(weeks[0][0], "SHORT_DATE_FORMAT"),
        "last": date_format(weeks[-1][0], "SHORT_DATE_FORMAT"),
    }
    labels = [date_format(start, "d.m") for start, _count in weeks]
    titles = [f"{label}: {value}" for label, value in rows]

    def drawing(width: int, height: int, at_most: int) -> SafeString:
        chart = _week_columns(weeks, labels, every=math.ceil(len(weeks) / at_most))
        root = _document(chart, width=width, height=height, title=title, desc=desc)
        _title_shapes(root, "series columns", titles)
        return _sanitise(root)

    return Chart(
        svg=drawing(WIDTH, 320, WEEK_LABELS),
        narrow_svg=drawing(NARROW_WIDTH, 240, NARROW_WEEK_LABELS),
        empty_message="",
        **common,
    )


def _week_columns(weeks: list[tuple[dt.date, int]], labels: list[str], *, every: int):
    """leather's columns, a week each, every `every`th labelled with its first day."""
    ticks = _nice_ticks(max(count for _start, count in weeks))
    # Ordinal labels must be unique; the index keeps two weeks a year apart apart.
    data = [(f"{i}", count, i) for i, (_start, count) in enumerate(weeks)]
    chart = leather.Chart()
    chart.set_x_axis(
        leather.Axis(
            tick_formatter=lambda value, i, n: labels[int(value)] if int(value) % every == 0 else ""
        )
    )
    chart.set_y_scale(leather.Linear(0, ticks[-1]))
    chart.set_y_axis(
        leather.Axis(ticks=ticks, tick_formatter=lambda value, i, n: format_count(int(value)))
    )
    chart.add_columns(data, fill_color=BAR_COLOR)
    return chart


@_drawn_once
def regions_bar_svg(
    rows: list[tuple[str, float | Decimal | None]],
    *,
    title: str,
    percent: bool = True,
    value_heading: str | None = None,
) -> Chart:
    """Regions side by side as horizontal bars, in the order given (sort before calling).

    Values are per cent (0–100, as the figures' rates are) when `percent`, counts otherwise.
    A region without a value (a rate of nobody) gets no bar, "—" in the table and "no data" in
    its label, rather than a bar of 0 that would read as a failure. No rows, or no values at all,
    give a message instead of a chart.
    """
    label_of = format_percent if percent else (lambda value: format_count(int(value)))
    table = [(name, label_of(value) if value is not None else "—") for name, value in rows]
    common = {
        "title": title,
        "label_heading": _("Region"),
        "value_heading": value_heading or (_("Completion rate") if percent else _("Number")),
        "rows": table,
    }
    drawn = [(name, value) for name, value in rows if value is not None]
    if not drawn:
        return Chart(svg=None, empty_message=_("No figures to show for these filters."), **common)

    top = 100 if percent else max(float(value) for _name, value in drawn)
    ticks = [0, 25, 50, 75, 100] if percent else _nice_ticks(top)
    # Names label the axis; a name given twice would merge two bars, so each gets its index.
    data = [
        (float(value) if value is not None else None, f"{i}", i)
        for i, (_name, value) in enumerate(rows)
    ]
    tick_label = _percent_tick if percent else (lambda value: format_count(int(value)))
    height = 80 + ROW_HEIGHT * len(rows)
    desc = ngettext("%(count)s region compared.", "%(count)s regions compared.", len(rows)) % {
        "count": format_count(len(rows))
    }
    # leather draws bars bottom-up in reverse order of the data, skipping the empty ones.
    titles = [f"{name}: {label_of(value)}" for name, value in reversed(drawn)]

    def drawing(width: int, names: list[str]) -> SafeString:
        chart = leather.Chart()
        chart.set_x_scale(leather.Linear(0, ticks[-1]))
        chart.set_x_axis(
            leather.Axis(ticks=ticks, tick_formatter=lambda value, i, n: tick_label(value))
        )
        chart.set_y_axis(leather.Axis(tick_formatter=lambda value, i, n: names[int(value)]))
        chart.add_bars(data, fill_color=BAR_COLOR)
        root = _document(chart, width=width, height=height, title=title, desc=desc)
        _title_shapes(root, "series bars", titles)
        return _sanitise(root)

    no_data = _("no data")
    wide = [name if value is not None else f"{name} ({no_data})" for name, value in rows]
    # On a phone a long name would leave the bars no room: cut short, «—» for no data.
    narrow = [
        _cut(name, NARROW_NAME) + ("" if value is not None else " (—)") for name, value in rows
    ]
    return Chart(
        svg=drawing(WIDTH, wide),
        narrow_svg=drawing(NARROW_WIDTH, narrow),
        empty_message="",
        **common,
    )


def _cut(name: str, length: int) -> str:
    """A region's name in at most `length` characters for a phone's chart: the common words
    shortened («Респ. Марий Эл», «Ханты-Мансийский АО — Югра»), then an ellipsis where it
    was cut. The bar's tooltip and the table under the chart keep the name whole."""
    for word, short in NARROW_WORDS.items():
        name = name.replace(word, short)
    return name if len(name) <= length else name[: length - 1].rstrip() + "…"
