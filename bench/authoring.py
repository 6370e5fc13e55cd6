"""Authoring speed in the Wagtail admin, on the demo (`make bench-authoring`); not a test.

The demo school is loaded into a PostgreSQL database of its own and Django is set up in this
process with production settings, as the server is (`bench/harness.py`); the admin's own views,
forms, hooks and workflow run through Django's test client, over HTTPS, signed in as the demo's
people:

- the instructor saves a draft of a lesson of the Tambov programme (its whole form: the title
  changed, its body as it is), and submits it for moderation;
- the senior instructor approves it — the workflow's one task, which publishes it;
- the senior instructor publishes a change directly.

Each action runs `--repeat` times (a new title each time, so that each is a real change); the
table gives the median and the slowest in milliseconds, the queries of one, and how much of the
median the 75 % rule's check took (`courses.curriculum.practice_balance_error`, the check every
path to publishing runs, timed where the admin's hooks and `publish()` call it). Target: each
action well under a second (issue 13). JSON goes to bench/results/.

    .venv/bin/python bench/authoring.py [--repeat 10] [--keep]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:1] = [str(ROOT)]

from bench import harness  # noqa: E402

DATABASE = "lms_bench_authoring"
TARGET_MS = 1000


def form_value(block, value):
    """What the admin's form posts for `value` of `block`, as its editor would send it."""
    from wagtail import blocks
    from wagtail.test.utils.form_data import rich_text, streamfield

    if isinstance(block, blocks.StreamBlock):
        return streamfield(
            [(child.block_type, form_value(child.block, child.value)) for child in value]
        )
    if isinstance(block, blocks.StructBlock):
        return {
            name: form_value(child, value.get(name)) for name, child in block.child_blocks.items()
        }
    if isinstance(block, blocks.ListBlock):
        items = {
            str(index): {
                "value": form_value(block.child_block, item),
                "deleted": "",
                "order": index,
            }
            for index, item in enumerate(value)
        }
        return {**items, "count": str(len(items))}
    if isinstance(block, blocks.RichTextBlock):
        return rich_text(value.source)
    if isinstance(block, blocks.ChooserBlock):
        return value.pk if value is not None else ""
    return "" if value is None else value


def lesson_form(lesson, title: str, action: str | None) -> dict:
    from wagtail.test.utils.form_data import inline_formset, nested_form_data

    data = nested_form_data(
        {
            "title": title,
            "slug": lesson.slug,
            "hours": str(lesson.hours),
            "kind": lesson.kind,
            "summary": lesson.summary,
            "body": form_value(lesson.body.stream_block, lesson.body),
            "comments": inline_formset([]),
            "seo_title": lesson.seo_title,
            "search_description": lesson.search_description,
        }
    )
    if action:
        data[action] = action
    return data


class RuleTimer:
    """Time spent in the 75 % rule's check during one action, wherever it is called from."""

    def __init__(self):
        self.seconds = 0.0

    def wrap(self, module, name):
        original = getattr(module, name)

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started

        setattr(module, name, timed)


def measure(action, repeat: int, timer: RuleTimer) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, rule, queries = [], [], 0
    for number in range(repeat):
        timer.seconds = 0.0
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            action(number)
            times.append(time.perf_counter() - started)
        rule.append(timer.seconds)
        queries = len(captured)
    return {
        "median_ms": statistics.median(times) * 1000,
        "max_ms": max(times) * 1000,
        "rule_ms": statistics.median(rule) * 1000,
        "queries": queries,
    }


def run(repeat: int) -> dict[str, dict]:
    from django.test import Client
    from django.urls import reverse
    from wagtail.models import WorkflowState

    import courses.curriculum
    import courses.wagtail_hooks
    import records.admin_views
    from accounts.models import User
    from courses.models import LessonPage

    timer = RuleTimer()
    # Where the admin's hooks and views hold the check, and the module `publish()` reads it from.
    for module in (courses.curriculum, courses.wagtail_hooks, records.admin_views):
        timer.wrap(module, "practice_balance_error")

    instructor, senior = Client(), Client()
    instructor.force_login(User.objects.get(username="instructor"))
    senior.force_login(User.objects.get(username="senior"))
    lessons = list(
        LessonPage.objects.live().filter(url_path__contains="/soprovozhdenie-uchastnikov-svo/")
    )
    drafted, published = lessons[0], lessons[-1]

    def post(client, url, data, **extra):
        response = client.post(url, data, secure=True, HTTP_HOST=harness.HOST, **extra)
        if response.status_code != 302:
            raise RuntimeError(f"{url} answered {response.status_code}, not a redirect")
        return response

    def edit(client, lesson, title, action):
        lesson = LessonPage.objects.get(pk=lesson.pk).get_latest_revision_as_object()
        url = reverse("wagtailadmin_pages:edit", args=(lesson.pk,))
        post(client, url, lesson_form(lesson, title, action))

    results = {
        "save a draft (instructor)": measure(
            lambda n: edit(instructor, drafted, f"{drafted.title} — черновик {n}", None),
            repeat,
            timer,
        ),
        "publish directly (senior instructor)": measure(
            lambda n: edit(senior, published, f"{published.title} ({n + 1})", "action-publish"),
            repeat,
            timer,
        ),
    }

    # Submitting and approving alternate: each approval needs a submission before it.
    def submit(number):
        edit(instructor, drafted, f"{drafted.title} — на проверку {number}", "action-submit")

    submitted, approved = [], []
    for number in range(repeat):
        submitted.append(measure(lambda _n, number=number: submit(number), 1, timer))
        state = WorkflowState.objects.get(
            base_content_type__model="page", object_id=str(drafted.pk), status="in_progress"
        )
        url = reverse(
            "wagtailadmin_pages:workflow_action",
            args=(drafted.pk, "approve", state.current_task_state.pk),
        )
        approved.append(
            measure(
                lambda _n, url=url: post(
                    senior, url, {}, HTTP_REFERER=reverse("wagtailadmin_home")
                ),
                1,
                timer,
            )
        )
    for name, runs in (
        ("submit for moderation (instructor)", submitted),
        ("approve and publish (senior instructor)", approved),
    ):
        times = [item["median_ms"] for item in runs]
        results[name] = {
            "median_ms": statistics.median(times),
            "max_ms": max(times),
            "rule_ms": statistics.median(item["rule_ms"] for item in runs),
            "queries": runs[-1]["queries"],
        }
    drafted.refresh_from_db()
    if not drafted.live or drafted.has_unpublished_changes:
        raise RuntimeError("the approved lesson is not published")
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    folder = harness.temporary_folder("lms-bench-authoring-")
    env = harness.site_environment(static_root=folder / "static", media_root=folder)
    try:
        print("Loading the demo…", flush=True)
        harness.prepare_database(env, DATABASE, ("load_demo", "--verbosity", "0"))
        harness.collect_static(harness.with_database(env, DATABASE))
        harness.configure(env, DATABASE)
        results = run(args.repeat)
    finally:
        from django.db import connection

        connection.close()
        if not args.keep:
            harness.drop_database(DATABASE)
        shutil.rmtree(folder, ignore_errors=True)

    print(f"\n{'action':<42} {'median ms':>10} {'slowest':>8} {'75 % rule':>10} {'queries':>8}")
    for name, item in results.items():
        print(
            f"{name:<42} {item['median_ms']:>10.0f} {item['max_ms']:>8.0f} "
            f"{item['rule_ms']:>10.1f} {item['queries']:>8}"
        )
    missed = [name for name, item in results.items() if item["median_ms"] >= TARGET_MS]
    path = harness.write_results(
        "authoring",
        {"repeat": args.repeat, "target_ms": TARGET_MS, "actions": results, "missed": missed},
    )
    print(f"\nJSON: {path}")
    if missed:
        print("Missed: " + ", ".join(missed))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
