"""Attempts address their choices by random tokens instead of option ids (see assessments.layout).

Existing attempts get tokens drawn for them; their answers stay keyed by option ids.
"""

import secrets

from django.db import migrations


def _draw(ids, used):
    items = []
    for pk in ids:
        token = secrets.token_hex(5)
        while token in used:
            token = secrets.token_hex(5)
        used.add(token)
        items.append({"id": pk, "token": token})
    return items


def add_tokens(apps, schema_editor):
    QuizAttempt = apps.get_model("assessments", "QuizAttempt")
    for attempt in QuizAttempt.objects.iterator():
        changed = False
        for entry in attempt.layout:
            if entry.get("options") and not isinstance(entry["options"][0], int):
                continue
            used = set()
            entry["options"] = _draw(entry.get("options", []), used)
            if "pairs" in entry:
                entry["pairs"] = _draw(entry["pairs"], used)
            changed = True
        if changed:
            attempt.save(update_fields=["layout"])


class Migration(migrations.Migration):
    dependencies = [("assessments", "0003_case_work")]

    operations = [migrations.RunPython(add_tokens, migrations.RunPython.noop)]
