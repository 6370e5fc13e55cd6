"""Every table that may scroll sideways (`.table-responsive`) is a named region a keyboard can
reach: axe's scrollable-region-focusable (serious) fails a wrapper that scrolls on a phone and
holds nothing focusable, and which ones scroll depends on the data and the width. The browser
tests check it on the pages (tests/test_browser_dashboards.py); this one checks every template,
so that a new table cannot forget it."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
WRAPPER = re.compile(r'<div class="table-responsive"([^>]*)>')


def test_every_table_wrapper_is_a_focusable_named_region():
    found, missing = 0, []
    for path in sorted(TEMPLATES.rglob("*.html")):
        for attributes in WRAPPER.findall(path.read_text(encoding="utf-8")):
            found += 1
            if not (
                'tabindex="0"' in attributes
                and 'role="region"' in attributes
                and re.search(r'aria-label="\{%\s*translate |aria-label="\{\{', attributes)
            ):
                missing.append(f"{path.relative_to(TEMPLATES)}: {attributes.strip()!r}")
    assert found >= 18
    assert missing == []


def test_the_check_catches_a_wrapper_without_them():
    assert WRAPPER.findall('<div class="table-responsive"><table>') == [""]
