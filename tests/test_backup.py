"""Backups (`scripts/backup.py`, `make backup` and `make restore`): a backup restored into an
empty PostgreSQL database holds the same rows, the same files and the same certificate
verifications; a restore refuses a database that has tables and a backup that is not what its
manifest says; `verify` finds what differs, and a forced restore mends it.

Real pg_dump and pg_restore against new databases on the test database's server; the tool runs
as operators run it, in a process of its own. PostgreSQL only (`postgres_only`: it fails, not
skips, where DATABASE_URL names PostgreSQL or CI is set).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection, connections
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import load_backend
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from psycopg import sql
from wagtail.documents.models import Document

from certificates.codes import display_code
from certificates.models import Certificate
from certificates.rendering import printed_fields
from certificates.selectors import certificate_by_code, certificate_status
from certificates.services import (
    issue_with_pdf,
    reissue_certificate,
    revoke_certificate,
)
from certificates.tests.conftest import School

pytestmark = pytest.mark.usefixtures("postgres_only")

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts/backup.py"
RESTORED = "restored"
MINUTE = dt.timedelta(minutes=1)


# The tool, run as operators run it ------------------------------------------------------------


def database_url(name: str) -> str:
    config = connection.settings_dict
    password = f":{quote(config['PASSWORD'], safe='')}" if config["PASSWORD"] else ""
    user = quote(config["USER"] or "", safe="")
    host = config["HOST"] or "localhost"
    return f"postgres://{user}{password}@{host}:{config['PORT'] or 5432}/{name}"


def run_tool(*arguments, database: str, media: Path, private: Path):
    """`python scripts/backup.py …` on `database` and the two file folders, with the demo's
    settings (no S3, replica or Redis of this machine's environment leaks in)."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "S3_", "DATABASE_", "REDIS_"))
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="lms.settings.dev",
        DATABASE_URL=database_url(database),
        MEDIA_ROOT=str(media),
        PRIVATE_MEDIA_ROOT=str(private),
    )
    return subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, arguments)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def backup_of(tmp_path: Path, *, media: Path, private: Path) -> Path:
    """A backup of the test database and the two folders, made by the tool."""
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.fail(
            "The backup tests need PostgreSQL's pg_dump and pg_restore (postgresql-client)."
        )
    done = run_tool(
        "backup", "--into", tmp_path / "backups", database=source(), media=media, private=private
    )
    assert done.returncode == 0, done.stderr
    (folder,) = (tmp_path / "backups").iterdir()
    assert folder.name.startswith("lms-") and not folder.name.endswith(".partial")
    return folder


def source() -> str:
    return connection.settings_dict["NAME"]


# What is compared, read straight from PostgreSQL and the folders -------------------------------


@contextmanager
def connect(name: str):
    config = connection.settings_dict
    with psycopg.connect(
        dbname=name,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        autocommit=True,
    ) as db:
        yield db


def table_contents(name: str) -> dict[str, tuple[int, str]]:
    """Every table of the database: its rows, and an MD5 of all of them in a fixed order."""
    with connect(name) as db:
        tables = [
            table
            for (table,) in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        query = (
            "SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' "
            "ORDER BY t::text COLLATE \"C\"), '')) FROM {} AS t"
        )
        return {
            table: db.execute(sql.SQL(query).format(sql.Identifier(table))).fetchone()
            for table in tables
        }


def file_sums(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(Path(root).rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def empty_database():
    """A new, empty database on the test database's server, dropped at the end."""
    name = f"{source()}_restored_{uuid.uuid4().hex[:8]}"
    with connect(source()) as db:
        db.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
    yield name
    connections.close_all()
    with connect(source()) as db:
        db.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def site_role(empty_database):
    """A role like the site's `lms_web` (it owns nothing), dropped at the end with the rights
    it was given in the new database."""
    name = f"lms_web_{uuid.uuid4().hex[:8]}"
    role = sql.Identifier(name)
    with connect(source()) as db:
        db.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(role))
    yield name
    with connect(empty_database) as db:
        db.execute(sql.SQL("DROP OWNED BY {}").format(role))
    with connect(source()) as db:
        db.execute(sql.SQL("DROP ROLE {}").format(role))


class Everything:
    """Every read and write of the ORM to one database."""

    def __init__(self, alias: str):
        self.alias = alias

    def db_for_read(self, model, **hints):
        return self.alias

    def db_for_write(self, model, **hints):
        return self.alias

    def allow_relation(self, obj1, obj2, **hints):
        return True


@contextmanager
def reading_from(name: str):
    """The site's own code (selectors, views) reading the database `name` instead. Its
    connection is made here, not named in DATABASES: the test allows no other alias."""
    config = {**connections["default"].settings_dict, "NAME": name}
    restored = load_backend(config["ENGINE"]).DatabaseWrapper(config, RESTORED)
    connections[RESTORED] = restored
    try:
        with override_settings(DATABASE_ROUTERS=[Everything(RESTORED)]):
            assert Certificate.objects.all().db == RESTORED
            yield
    finally:
        restored.close()
        del connections[RESTORED]


def verification(code: str) -> dict:
    """What the public verification shows of a code, by the page's own functions."""
    certificate = certificate_by_code(code)
    return {
        "status": certificate_status(certificate),
        "fields": printed_fields(certificate),
        "signatories": certificate.printed.get("signatories", []),
        "successor": certificate.successor.serial if certificate.successor else None,
        "revoked_on": certificate.revoked_on,
        "public_reason": certificate.revocation_public_reason,
        "pdf": (certificate.pdf.name, certificate.pdf_sha256),
    }


def verification_page(client, code: str) -> str:
    """The verification page as a person sees it (without the per-request CSRF tokens)."""
    response = client.get(reverse("certificates:verify", args=[display_code(code)]))
    assert response.status_code == 200
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


# The round trip -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_restores_into_an_empty_database_with_the_same_rows_files_and_verifications(
    tmp_path, empty_database, site_role, client, drawn_afresh
):
    school = School(completed=3)
    valid = issue_with_pdf(enrolment=school.done[0], issued_by=school.official)
    revoked = issue_with_pdf(enrolment=school.done[1], issued_by=school.official)
    revoke_certificate(
        certificate=revoked, by=school.official, reason="Жалоба", public_reason="Выдано ошибочно"
    )
    corrected = issue_with_pdf(enrolment=school.done[2], issued_by=school.official)
    reissue_certificate(certificate=corrected, by=school.official, reason="Опечатка в фамилии")
    Document.objects.create(title="Памятка", file=ContentFile(b"memo", name="pamyatka.txt"))
    media, private = Path(settings.MEDIA_ROOT), Path(storages["private"].location)
    codes = list(Certificate.objects.order_by("pk").values_list("code", flat=True))
    with_pdf = dict(Certificate.objects.exclude(pdf="").values_list("pdf", "pdf_sha256"))
    before = {code: verification(code) for code in codes}
    assert sorted(state["status"] for state in before.values()) == [
        "revoked",
        "superseded",
        "valid",
        "valid",
    ]

    folder = backup_of(tmp_path, media=media, private=private)
    restored_media, restored_private = tmp_path / "media", tmp_path / "private"
    done = run_tool(
        "restore",
        folder,
        "--grant-to",
        site_role,
        database=empty_database,
        media=restored_media,
        private=restored_private,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "OK: the same data, files and verifications" in done.stdout
    assert "certificates   4 verify as they did" in done.stdout
    # The manifest: when, which database, the migrations, the rows, each file's SHA-256.
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["database"]["name"] == source()
    assert abs(dt.datetime.fromisoformat(manifest["created_at"]) - timezone.now()) < MINUTE
    assert manifest["migrations"]["applied"] == MigrationRecorder.Migration.objects.count()
    assert manifest["tables"]["certificates_certificate"] == 4
    for name, sha256 in with_pdf.items():
        assert manifest["storage"]["private"]["files"][name] == sha256
    # Every table, row for row; every file, byte for byte.
    assert table_contents(empty_database) == table_contents(source())
    assert file_sums(restored_media) == file_sums(media)
    assert file_sums(restored_private) == file_sums(private)
    assert any(name.startswith("documents/") for name in file_sums(restored_media))
    assert {name: file_sums(restored_private)[name] for name in with_pdf} == with_pdf
    # Each certificate verifies as before: the selectors and the page itself, on the restored
    # database (nothing kept between the two: `drawn_afresh`).
    with reading_from(empty_database):
        assert {code: verification(code) for code in codes} == before
    pages = {code: verification_page(client, code) for code in codes}
    with reading_from(empty_database):
        assert {code: verification_page(client, code) for code in codes} == pages
    assert "Выдано ошибочно" in pages[revoked.code]
    # The trail is still append-only, and the site's role has its rights but that of rewriting
    # the trail.
    with connect(empty_database) as db:
        assert db.execute("SELECT count(*) FROM auditlog_logentry").fetchone()[0] > 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            db.execute("DELETE FROM auditlog_logentry")
        rights = db.execute(
            "SELECT has_table_privilege(%(role)s, 'auditlog_logentry', 'INSERT'), "
            "has_table_privilege(%(role)s, 'auditlog_logentry', 'UPDATE'), "
            "has_table_privilege(%(role)s, 'courses_cohort', 'UPDATE')",
            {"role": site_role},
        ).fetchone()
        assert rights == (True, False, True)
        # A certificate changed after the restore is found by `verify`.
        db.execute(
            "UPDATE certificates_certificate SET revocation_public_reason = 'Подделка' "
            "WHERE serial = %s",
            [valid.serial],
        )
    checked = run_tool(
        "verify", folder, database=empty_database, media=restored_media, private=restored_private
    )
    assert checked.returncode == 1
    assert f"certificate {valid.serial}: verifies differently" in checked.stderr
    assert "certificates_certificate" not in checked.stderr  # the same number of rows


# Refusals, and what verify finds --------------------------------------------------------------


@pytest.fixture
def folders(tmp_path):
    """A media and a private folder with a file each, for the tests that need no certificate."""
    media, private = tmp_path / "site-media", tmp_path / "site-private"
    (media / "documents").mkdir(parents=True)
    (media / "documents/pamyatka.txt").write_bytes(b"memo")
    (private / "certificates/2026").mkdir(parents=True)
    (private / "certificates/2026/68-2026-00001.pdf").write_bytes(b"%PDF-1.7 stand-in")
    return media, private


@pytest.mark.django_db
def test_restore_refuses_a_tampered_backup_and_a_database_or_folder_that_is_not_empty(
    tmp_path, empty_database, folders
):
    folder = backup_of(tmp_path, media=folders[0], private=folders[1])
    tampered = shutil.copytree(folder, tmp_path / "tampered")
    with (tampered / "private.tar").open("ab") as archive:
        archive.write(b"\0" * 512)
    targets = {"media": tmp_path / "media", "private": tmp_path / "private"}
    before = table_contents(source())

    refused = run_tool("restore", tampered, database=empty_database, **targets)

    assert refused.returncode == 2
    assert "The backup is damaged or altered: private.tar has SHA-256" in refused.stderr
    assert "Nothing was restored" in refused.stderr
    assert table_contents(empty_database) == {}
    assert not targets["media"].exists() and not targets["private"].exists()

    refused = run_tool("restore", folder, database=source(), **targets)

    assert refused.returncode == 2
    assert f"The database «{source()}» is not empty: it has {len(before)} tables" in (
        refused.stderr
    )
    assert table_contents(source()) == before

    targets["private"].mkdir()
    (targets["private"] / "left-over.pdf").write_bytes(b"%PDF")
    refused = run_tool("restore", folder, database=empty_database, **targets)

    assert refused.returncode == 2
    assert f"The private folder {targets['private']} is not empty" in refused.stderr
    assert table_contents(empty_database) == {}


@pytest.mark.django_db
def test_verify_finds_a_lost_row_and_a_changed_file_and_a_forced_restore_mends_them(
    tmp_path, empty_database, folders
):
    folder = backup_of(tmp_path, media=folders[0], private=folders[1])
    targets = {"media": tmp_path / "media", "private": tmp_path / "private"}
    assert run_tool("restore", folder, database=empty_database, **targets).returncode == 0
    with connect(empty_database) as db:
        regions = db.execute("SELECT count(*) FROM accounts_region").fetchone()[0]
        db.execute("DELETE FROM accounts_region WHERE code = '68'")
    (targets["private"] / "certificates/2026/68-2026-00001.pdf").write_bytes(b"%PDF forged")

    checked = run_tool("verify", folder, database=empty_database, **targets)

    assert checked.returncode == 1
    assert "MISMATCH with the backup" in checked.stderr
    assert f"table accounts_region: {regions - 1} rows here, {regions} in the backup" in (
        checked.stderr
    )
    assert "private file certificates/2026/68-2026-00001.pdf: not the backup's" in (checked.stderr)

    mended = run_tool("restore", folder, "--force", database=empty_database, **targets)

    assert mended.returncode == 0, mended.stdout + mended.stderr
    assert table_contents(empty_database) == table_contents(source())
    assert file_sums(targets["private"]) == file_sums(folders[1])
