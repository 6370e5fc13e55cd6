from django.db import migrations


def grant(apps, schema_editor):
    from accounts.roles import sync_role_groups

    # Administrators export and erase a person's data, and keep the consent texts.
    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0001_initial"),
        ("accounts", "0007_consent_text_1"),
        ("audit", "0001_append_only"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
