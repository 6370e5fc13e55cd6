"""The audit trail is append-only in the database itself, whoever connects.

On PostgreSQL (every deployment) a trigger refuses to change or delete an entry: the one change
let through is django-auditlog's own when an acting account is deleted (its `actor` set to NULL,
the entry keeping the account's number). The role the site runs as should moreover
not own the table (README, «Audit trail»: `REVOKE UPDATE, DELETE, TRUNCATE`), so that it cannot
drop the trigger either. SQLite runs only the demo and the quick local tests: no trigger there.
"""

from django.db import migrations

FORBID = """
CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL
            AND to_jsonb(NEW) - 'actor_id' = to_jsonb(OLD) - 'actor_id' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit trail entries are never changed or deleted'
        USING ERRCODE = 'insufficient_privilege';
END
$$;
DROP TRIGGER IF EXISTS audit_entries_append_only ON auditlog_logentry;
CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON auditlog_logentry
    FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();
"""
ALLOW = """
DROP TRIGGER IF EXISTS audit_entries_append_only ON auditlog_logentry;
DROP FUNCTION IF EXISTS audit_entries_append_only();
"""


def forbid(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORBID)


def allow(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ALLOW)


def grant(apps, schema_editor):
    from accounts.roles import sync_role_groups

    # Administrators browse and export the trail.
    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("auditlog", "0017_add_actor_email"),
        ("security", "0002_role_permissions"),
    ]

    operations = [
        migrations.RunPython(forbid, allow),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
