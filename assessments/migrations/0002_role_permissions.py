from django.db import migrations


def grant(apps, schema_editor):
    from accounts.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0001_initial"),
        ("accounts", "0003_personal_data"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
