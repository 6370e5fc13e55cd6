"""`scripts/screenshots.py` (`make screenshots`) without its database and browser: what it would
photograph, its options, and the pictures it saves."""

import importlib.util
import io
import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent


def load_script():
    name = "scripts_screenshots"
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts/screenshots.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # its dataclass looks its module up there
    spec.loader.exec_module(module)
    return module


screenshots = load_script()


def test_options_default_to_docs_and_dropping_the_database():
    args = screenshots.parse_args([])
    assert (args.region, args.out, args.keep, args.reuse) == ("", ROOT / "docs", False, False)

    args = screenshots.parse_args(["--region", "12", "--out", "/tmp/x", "--keep", "--reuse"])
    assert (args.region, args.out, args.keep, args.reuse) == ("12", Path("/tmp/x"), True, True)


def test_each_dashboard_is_photographed_by_the_official_who_may_see_it():
    shots = {shot.filename: shot for shot in screenshots.shots("12", 73)}

    assert shots["dashboard-federal.png"].username == "syn-federal"
    assert shots["dashboard-federal.png"].path.startswith("/dashboards/?")
    for name in ("region", "region-phone", "region-low-vision"):
        shot = shots[f"dashboard-{name}.png"]
        assert (shot.path, shot.username) == ("/dashboards/regions/12/", "syn-12-official")
    assert shots["dashboard-region.png"].viewport["width"] == 1280
    assert shots["dashboard-region-phone.png"].viewport["width"] == 390
    assert [s.filename for s in shots.values() if s.low_vision] == [
        "dashboard-region-low-vision.png"
    ]
    cohort = shots["dashboard-cohort.png"]
    assert (cohort.path, cohort.username) == ("/dashboards/cohorts/73/", "syn-12-official")
    # Only the page still being built may be skipped; the others must answer.
    assert [s.filename for s in shots.values() if s.optional] == ["dashboard-cohort.png"]


def test_without_a_running_cohort_there_is_no_cohort_picture():
    names = [shot.filename for shot in screenshots.shots("12", None)]

    assert "dashboard-cohort.png" not in names
    assert len(names) == 4


def test_a_picture_is_saved_at_its_size_with_a_palette_of_256_colours(tmp_path):
    picture = Image.new("RGB", (390, 600), "white")
    for x in range(390):  # more than 256 colours, as a screenshot's anti-aliased text has
        for y in range(0, 600, 3):
            picture.putpixel((x, y), (x % 256, y % 256, (x + y) % 256))
    data = io.BytesIO()
    picture.save(data, format="PNG")
    target = tmp_path / "shot.png"

    screenshots.save_png(data.getvalue(), target)

    with Image.open(target) as saved:
        assert saved.size == (390, 600)
        assert saved.mode == "P"
        assert len(saved.getcolors(maxcolors=1000)) <= 256
