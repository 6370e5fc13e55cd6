from django.db import migrations


def grant(apps, schema_editor):
    """Certificate templates: edited by senior instructors and administrators, seen by
    instructors (accounts/roles.py)."""
    from accounts.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0001_certificates"),
        ("security", "0002_role_permissions"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
