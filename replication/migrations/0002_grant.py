from django.db import migrations


def grant(apps, schema_editor):
    from accounts.roles import sync_role_groups

    # Senior instructors and administrators export programmes and adopt them for a region.
    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [("replication", "0001_initial"), ("privacy", "0002_role_permissions")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
