"""The arrows between our apps run one way: no app imports one above it, anywhere in a module.

Layers, lowest first: the ground floor (core helpers, accounts, security, notifications);
courses; assessments and schedule; the trainee's record (records); certificates; the site and
its demo (content) and the project package (lms). A function-level import counts as much as one
at the top: that is how upward arrows used to hide. Tests and migrations are left out.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

LAYERS = [
    {"core", "accounts", "security", "notifications"},
    {"courses"},
    {"assessments", "schedule"},
    {"records"},
    {"reminders"},
    {"certificates"},
    {"dashboards"},
    {"audit"},
    {"privacy"},
    {"replication"},
    {"content", "lms"},
]
LEVEL = {app: level for level, apps in enumerate(LAYERS) for app in apps}


def _modules(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or "migrations" in parts:
            continue
        yield path


def imported_apps(path: Path) -> set[tuple[str, int]]:
    """Our apps a module imports, with the line, wherever the import statement stands."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in LEVEL:
                found.add((top, node.lineno))
    return found


def upward_imports(app: str) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line} imports {other}"
        for path in _modules(app)
        for other, line in sorted(imported_apps(path))
        if LEVEL[other] > LEVEL[app]
    ]


@pytest.mark.parametrize("app", sorted(LEVEL))
def test_no_app_imports_an_app_above_it(app):
    assert upward_imports(app) == []


def test_every_app_of_ours_has_a_layer():
    ours = {
        path.parent.name for path in ROOT.glob("*/apps.py") if not path.parent.name.startswith(".")
    }
    assert ours <= set(LEVEL)


def test_an_import_inside_a_function_is_caught(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from records.selectors import trainee_record\n")

    assert imported_apps(module) == {("records", 2)}
