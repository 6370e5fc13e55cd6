from django.db import migrations


def grant(apps, schema_editor):
    from accounts.roles import sync_role_groups

    # Administrators may see and release sign-in lockouts (axes' AccessAttempt).
    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("security", "0001_password_reset_requests"),
        ("axes", "0010_accessattemptexpiration"),
        ("schedule", "0002_role_permissions"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
