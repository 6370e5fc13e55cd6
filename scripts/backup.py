"""Backups of the site and their restore (`make backup`, `make restore`; README «Backups and
restore»): the PostgreSQL database, the media and the private files, and a manifest that a
restore is checked against.

    python scripts/backup.py backup [--into var/backups]
    python scripts/backup.py restore <folder> [--force] [--grant-to lms_web]
    python scripts/backup.py verify <folder>

A backup is one folder, `lms-<UTC time>` (written as `….partial`, renamed once complete):

    database.dump   pg_dump --format=custom of DATABASE_URL's database
    media.tar       MEDIA_ROOT: images and documents          } when they are folders of this
    private.tar     PRIVATE_MEDIA_ROOT: case work, the PDFs    } machine; on S3 the object
                                                                 store's versioning keeps them
    manifest.json   when, which database, its migrations, the rows of every table, what every
                    certificate's verification shows (a SHA-256 per serial), the SHA-256 of
                    every file in the archives and of the archives themselves
    SHA256SUMS      the same for the four files above: `sha256sum -c SHA256SUMS` checks a copy

The counts, the migrations and the verifications are read in the very snapshot pg_dump copies
(`pg_export_snapshot`), so a site running during the backup changes nothing that is compared.

A restore goes into an empty database (any table there and it refuses, unless --force) and
empty file folders, as the role that owns the tables (`pg_restore --no-owner --no-acl`: the
site role's grants are given again with --grant-to), then reads everything back and compares it
with the manifest: exit 0 when all agrees, 1 on a difference, 2 when it refuses or pg_restore
fails (in one transaction: nothing is restored then).

Settings as `manage.py` takes them (DJANGO_SETTINGS_MODULE, default `lms.settings.dev`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
DUMP = "database.dump"
FORMAT = 1
CHUNK = 1024 * 1024
# The README's grants for the site's role («Audit trail»): everything but rewriting the trail.
SITE_ROLE_GRANTS = [
    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
    "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
    "REVOKE UPDATE, DELETE, TRUNCATE ON auditlog_logentry FROM {role}",
]


class Refused(Exception):
    """The backup or restore cannot go ahead, or pg_dump or pg_restore failed; the message says
    why and what to do."""


@dataclass(frozen=True)
class FileArea:
    """Where one storage of STORAGES keeps its files: a folder here, or elsewhere (S3)."""

    name: str  # "media" or "private": the archive's name
    alias: str  # its key in STORAGES
    root: Path | None  # the folder, when the storage is one on this machine
    elsewhere: str  # otherwise, what it is

    @property
    def archive(self) -> str:
        return f"{self.name}.tar"


def file_areas() -> list[FileArea]:
    from django.core.files.storage import FileSystemStorage, storages

    areas = []
    for name, alias in (("media", "default"), ("private", "private")):
        storage = storages[alias]
        if isinstance(storage, FileSystemStorage):
            areas.append(FileArea(name, alias, Path(storage.location), ""))
        else:
            bucket = getattr(storage, "bucket_name", "")
            where = f"{type(storage).__name__} {bucket}/{getattr(storage, 'location', '')}"
            areas.append(FileArea(name, alias, None, where))
    return areas


# Files ---------------------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def files_under(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def file_sums(root: Path) -> dict[str, str]:
    """Each file under `root` (by its path from there) and its SHA-256."""
    return {path.relative_to(root).as_posix(): sha256_of(path) for path in files_under(root)}


class _Hashing:
    """A file read once: into the archive and into its SHA-256 at the same time."""

    def __init__(self, stream):
        self.stream, self.digest = stream, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        block = self.stream.read(size)
        self.digest.update(block)
        return block


def pack(root: Path, archive: Path) -> dict[str, str]:
    """A tar of the files under `root` (images and PDFs are compressed already); their sums."""
    sums = {}
    with tarfile.open(archive, "w") as tar:
        for path in files_under(root):
            name = path.relative_to(root).as_posix()
            info = tar.gettarinfo(str(path), arcname=name)
            with path.open("rb") as stream:
                hashing = _Hashing(stream)
                tar.addfile(info, hashing)
            sums[name] = hashing.digest.hexdigest()
    return sums


def unpack(archive: Path, root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive) as tar:
        # "data": no absolute paths, no `..`, no links out, no device files.
        tar.extractall(root, filter="data")


# The database --------------------------------------------------------------------------------


def database_settings() -> dict:
    from django.db import connections

    connection = connections["default"]
    if connection.vendor != "postgresql":
        raise Refused(
            "Backups are of PostgreSQL: set DATABASE_URL to the site's database "
            f"(this is {connection.vendor}; the demo's SQLite is one file under var/)."
        )
    return connection.settings_dict


def pg_environment(database: dict) -> dict[str, str]:
    """libpq's variables for pg_dump and pg_restore: no password on a command line."""
    environment = dict(os.environ)
    for key, variable in (
        ("NAME", "PGDATABASE"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
    ):
        if database.get(key):
            environment[variable] = str(database[key])
    options = database.get("OPTIONS") or {}
    for option in ("sslmode", "sslrootcert", "sslcert", "sslkey"):
        if options.get(option):
            environment[f"PG{option.upper()}"] = str(options[option])
    return environment


def run_pg(tool: str, *arguments: str, database: dict) -> None:
    if shutil.which(tool) is None:
        raise Refused(
            f"{tool} is not installed: install PostgreSQL's client programs "
            "(Debian: postgresql-client), of the server's version or newer."
        )
    result = subprocess.run(
        [tool, "--no-password", *arguments],
        env=pg_environment(database),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        # pg_restore runs in one transaction: when it fails, the database is as it was.
        undone = " Nothing was restored." if tool == "pg_restore" else ""
        raise Refused(f"{tool} failed ({result.returncode}): {result.stderr.strip()}{undone}")


def user_tables(cursor) -> list[str]:
    """Every table outside PostgreSQL's own schemas; `public`'s by their bare names."""
    cursor.execute(
        "SELECT schemaname, tablename FROM pg_tables "
        "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"
    )
    return [table if schema == "public" else f"{schema}.{table}" for schema, table in cursor]


def table_counts(cursor) -> dict[str, int]:
    from django.db import connection

    counts = {}
    for table in user_tables(cursor):
        quoted = ".".join(connection.ops.quote_name(part) for part in table.split(".", 1))
        cursor.execute(f"SELECT count(*) FROM {quoted}")
        counts[table] = cursor.fetchone()[0]
    return counts


def migration_state(cursor) -> dict:
    """How many migrations are applied, and the last of each app."""
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
    rows = cursor.fetchall()
    return {"applied": len(rows), "latest": dict(sorted(dict(rows).items()))}


def certificate_verifications(*, at: dt.datetime) -> dict[str, str]:
    """Per serial, a SHA-256 of what the certificate's public verification shows (the status on
    the day `at` in its region, the printed lines and signatories, the successor, the
    revocation) and of its stored PDF's name and sum: the promise a restore must keep.
    The same functions as the verification page (certificates.views.public)."""
    from django.utils import translation

    from certificates.models import Certificate
    from certificates.rendering import kind_title, printed_fields
    from certificates.selectors import certificate_status

    verifications = {}
    certificates = Certificate.objects.select_related("region", "replaced_by").order_by("pk")
    with translation.override("ru"):
        for certificate in certificates.iterator(chunk_size=2000):
            day = at.astimezone(ZoneInfo(certificate.region.time_zone)).date()
            successor = certificate.successor
            shown = {
                "code": certificate.code,
                "status": certificate_status(certificate, today=day),
                "kind": str(kind_title(certificate.kind)),
                "fields": printed_fields(certificate),
                "signatories": certificate.printed.get("signatories", []),
                "successor": successor.serial if successor else None,
                "revoked_on": str(certificate.revoked_on or ""),
                "public_reason": certificate.revocation_public_reason,
                "pdf": [certificate.pdf.name, certificate.pdf_sha256],
            }
            text = json.dumps(shown, ensure_ascii=False, sort_keys=True, default=str)
            verifications[certificate.serial] = hashlib.sha256(text.encode()).hexdigest()
    return verifications


def begin_snapshot(cursor) -> None:
    """Make the caller's transaction read one consistent snapshot of the whole database."""
    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")


def database_state(cursor, *, at: dt.datetime | None = None) -> dict:
    """What a restore is compared on, read in the caller's snapshot: the database, its
    migrations, the rows of every table and the certificates' verifications (on the day `at`,
    by default the snapshot's own moment)."""
    cursor.execute("SELECT now(), current_database(), current_setting('server_version')")
    now, name, version = cursor.fetchone()
    return {
        "created_at": now.astimezone(dt.UTC),
        "database": {"name": name, "server_version": version},
        "migrations": migration_state(cursor),
        "tables": table_counts(cursor),
        "certificates": certificate_verifications(at=at or now),
    }


# Backup --------------------------------------------------------------------------------------


def backup(into: Path) -> Path:
    """Write a backup folder under `into` and return it."""
    from django.db import connection, transaction

    database = database_settings()
    # The folder holds every trainee's personal data: its owner's alone.
    os.umask(0o077)
    into.mkdir(parents=True, exist_ok=True)
    work = into / f"lms-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}Z.partial"
    work.mkdir()
    try:
        # The snapshot stays open while pg_dump copies it; then it is counted.
        with transaction.atomic(), connection.cursor() as cursor:
            begin_snapshot(cursor)
            cursor.execute("SELECT pg_export_snapshot()")
            run_pg(
                "pg_dump",
                "--format=custom",
                f"--snapshot={cursor.fetchone()[0]}",
                f"--file={work / DUMP}",
                f"--dbname={database['NAME']}",
                database=database,
            )
            state = database_state(cursor)
        # After the snapshot: every file the database names was there before it (files are
        # written before their rows commit), so it is in the archives.
        storage = {}
        for area in file_areas():
            if area.root is None:
                storage[area.name] = {"kept_by": area.elsewhere, "files": None}
            else:
                sums = pack(area.root, work / area.archive)
                storage[area.name] = {"archive": area.archive, "files": sums}
        artefacts = sorted(p.name for p in work.iterdir())
        manifest = {
            "format": FORMAT,
            **state,
            "created_at": state["created_at"].isoformat(),
            "dump": DUMP,
            "storage": storage,
            "sha256": {name: sha256_of(work / name) for name in artefacts},
        }
        (work / MANIFEST).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
            encoding="utf-8",
        )
        sums = {**manifest["sha256"], MANIFEST: sha256_of(work / MANIFEST)}
        (work / SUMS).write_text("".join(f"{s}  {n}\n" for n, s in sorted(sums.items())))
        final = work.with_name(work.name.removesuffix(".partial"))
        work.rename(final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return final


# Restore and verify --------------------------------------------------------------------------


def read_manifest(folder: Path) -> dict:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise Refused(
            f"{folder} is not a backup: its {MANIFEST} cannot be read ({error})."
        ) from None
    if manifest.get("format") != FORMAT:
        raise Refused(f"{folder}: a manifest of format {manifest.get('format')}, not {FORMAT}.")
    return manifest


def check_backup(folder: Path, manifest: dict) -> None:
    """Refuse a backup whose files are not those the manifest describes."""
    for name, expected in sorted(manifest["sha256"].items()):
        path = folder / name
        if not path.is_file():
            raise Refused(f"The backup is incomplete: {name} is missing.")
        if (actual := sha256_of(path)) != expected:
            raise Refused(
                f"The backup is damaged or altered: {name} has SHA-256 {actual}, the manifest "
                f"says {expected}."
            )


def target_areas(manifest: dict) -> list[tuple[FileArea, dict]]:
    """The storages the backup holds archives of, where this site keeps them."""
    pairs = []
    for area in file_areas():
        kept = manifest["storage"].get(area.name) or {}
        if kept.get("archive") is None:
            continue
        if area.root is None:
            raise Refused(
                f"The backup holds the {area.name} files, but this site keeps them in "
                f"{area.elsewhere}: copy {kept['archive']} there with the object store's tools."
            )
        pairs.append((area, kept))
    return pairs


def restore(folder: Path, *, force: bool = False, grant_to: str = "") -> list[str]:
    """Restore the backup into DATABASE_URL's database and the file folders; the differences
    found when reading them back (none: the restore is whole)."""
    from django.db import connection

    manifest = read_manifest(folder)
    try:
        check_backup(folder, manifest)
    except Refused as refusal:
        raise Refused(f"{refusal} Nothing was restored.") from None
    database = database_settings()
    with connection.cursor() as cursor:
        tables = user_tables(cursor)
    if tables and not force:
        raise Refused(
            f"The database «{database['NAME']}» is not empty: it has {len(tables)} tables "
            f"({', '.join(tables[:3])}, …). Restore into an empty database (createdb), or pass "
            "--force to replace what it holds. Nothing was restored."
        )
    areas = target_areas(manifest)
    for area, _kept in areas:
        if files_under(area.root) and not force:
            raise Refused(
                f"The {area.name} folder {area.root} is not empty. Restore into empty folders, "
                "or pass --force to write the backup's files over it. Nothing was restored."
            )
    connection.close()
    clean = ["--clean", "--if-exists"] if tables else []
    run_pg(
        "pg_restore",
        "--no-owner",
        "--no-acl",
        "--exit-on-error",
        "--single-transaction",
        *clean,
        f"--dbname={database['NAME']}",
        str(folder / manifest["dump"]),
        database=database,
    )
    print(f"database       restored into «{database['NAME']}» from {manifest['dump']}")
    for area, kept in areas:
        unpack(folder / kept["archive"], area.root)
        print(f"{area.name + ' files':14} unpacked into {area.root}")
    if grant_to:
        grant(grant_to)
        print(f"site role      {grant_to}: its rights given again (README «Audit trail»)")
    else:
        print(
            "site role      no rights given (the restore copies none): give them with "
            "--grant-to <role>, or the statements of README «Audit trail»"
        )
    return verify(manifest)


def grant(role: str) -> None:
    """Give the site's role its rights again (the restore copied none): README «Audit trail»."""
    from django.db import connection, transaction

    quoted = connection.ops.quote_name(role)
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in SITE_ROLE_GRANTS:
            cursor.execute(statement.format(role=quoted))


def first(problems: list[str], limit: int = 10) -> list[str]:
    """The first few of a long list, and how many more."""
    more = len(problems) - limit
    return problems[:limit] + ([f"… and {more} more"] if more > 0 else [])


def count_problems(state: dict, manifest: dict) -> list[str]:
    here, then = state["tables"], manifest["tables"]
    return first(
        [
            f"table {table}: {here.get(table, 'no table')} rows here, "
            f"{then.get(table, 'no table')} in the backup"
            for table in sorted(set(here) | set(then))
            if here.get(table) != then.get(table)
        ]
    )


def verification_problems(state: dict, manifest: dict) -> list[str]:
    here, then = state["certificates"], manifest["certificates"]
    problems = []
    for serial in sorted(set(here) | set(then)):
        if serial not in here:
            problems.append(f"certificate {serial}: missing here")
        elif serial not in then:
            problems.append(f"certificate {serial}: not in the backup")
        elif here[serial] != then[serial]:
            problems.append(f"certificate {serial}: verifies differently from the backup")
    return first(problems)


def file_problems(area: FileArea, kept: dict, here: dict[str, str]) -> list[str]:
    problems = []
    for name, expected in sorted(kept["files"].items()):
        if name not in here:
            problems.append(f"{area.name} file {name}: missing from {area.root}")
        elif here[name] != expected:
            problems.append(f"{area.name} file {name}: not the backup's (its SHA-256 differs)")
    return first(problems)


def verify(manifest: dict) -> list[str]:
    """Compare this site's database and files with the backup; print what agrees and return
    what does not (an empty list when everything does)."""
    from django.db import connection, transaction

    created_at = dt.datetime.fromisoformat(manifest["created_at"])
    with transaction.atomic(), connection.cursor() as cursor:
        begin_snapshot(cursor)
        state = database_state(cursor, at=created_at)
    problems = []
    if not (found := count_problems(state, manifest)):
        rows = sum(manifest["tables"].values())
        print(f"tables         {len(manifest['tables'])}, {rows} rows: the same")
    problems += found
    applied = manifest["migrations"]["applied"]
    if state["migrations"] == manifest["migrations"]:
        print(f"migrations     {applied} applied: the same")
    else:
        problems.append(
            f"migrations: {state['migrations']['applied']} applied here, {applied} in the backup"
        )
    if not (found := verification_problems(state, manifest)):
        print(
            f"certificates   {len(manifest['certificates'])} verify as they did on "
            f"{created_at:%Y-%m-%d %H:%M} UTC"
        )
    problems += found
    for area, kept in target_areas(manifest):
        here = file_sums(area.root)
        if not (found := file_problems(area, kept, here)):
            extra = len(set(here) - set(kept["files"]))
            print(
                f"{area.name + ' files':14} {len(kept['files'])}: the same SHA-256"
                + (f" ({extra} more here, not in the backup)" if extra else "")
            )
        problems += found
    for name, kept in sorted(manifest["storage"].items()):
        if kept.get("archive") is None:
            print(f"{name + ' files':14} kept by {kept['kept_by']}, not in this backup")
    problems += first(pdf_problems())
    pending, unknown = migration_plan(connection)
    if pending:
        print(f"note: this release has {len(pending)} migrations the database lacks: migrate")
    if unknown:
        print(
            f"note: the database has {len(unknown)} migrations this release lacks: restore "
            "with the release that made the backup"
        )
    return problems


def pdf_problems() -> list[str]:
    """Each certificate's PDF in the private folder with the SHA-256 recorded at its issue."""
    from certificates.models import Certificate

    root = next(area.root for area in file_areas() if area.name == "private")
    if root is None:
        return []
    problems = []
    stored = Certificate.objects.exclude(pdf="").values_list("serial", "pdf", "pdf_sha256")
    for serial, name, expected in stored.iterator():
        path = root / name
        if not path.is_file():
            problems.append(f"certificate {serial}: its PDF {name} is missing")
        elif sha256_of(path) != expected:
            problems.append(f"certificate {serial}: its PDF {name} is not the one issued")
    return problems


def migration_plan(connection) -> tuple[list[str], list[str]]:
    """Migrations of this code the database lacks, and ones it has that this code lacks."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connection, ignore_no_migrations=True)
    known, applied = set(loader.graph.nodes), set(loader.applied_migrations)
    replaced = {old for node in loader.replacements.values() for old in node.replaces}
    pending = sorted(f"{app}.{name}" for app, name in known - applied)
    unknown = sorted(f"{app}.{name}" for app, name in applied - known - replaced)
    return pending, unknown


# The command line ----------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("backup", help="write a backup folder")
    make.add_argument("--into", type=Path, default=None, help="the folder (var/backups)")
    put = commands.add_parser("restore", help="restore a backup into an empty database")
    put.add_argument("folder", type=Path)
    put.add_argument("--force", action="store_true", help="replace a database or files there")
    put.add_argument("--grant-to", default="", metavar="ROLE", help="the site's role, e.g. lms_web")
    check = commands.add_parser("verify", help="compare the database and files with a backup")
    check.add_argument("folder", type=Path)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.dev")
    import django
    from django.conf import settings

    django.setup()
    try:
        if args.command == "backup":
            folder = backup(args.into or Path(settings.VAR_DIR) / "backups")
            print(f"Backed up into {folder}")
            return 0
        if args.command == "restore":
            problems = restore(args.folder, force=args.force, grant_to=args.grant_to)
        else:
            manifest = read_manifest(args.folder)
            check_backup(args.folder, manifest)
            problems = verify(manifest)
    except Refused as refusal:
        print(f"Stopped: {refusal}", file=sys.stderr)
        return 2
    if problems:
        print("MISMATCH with the backup:", *problems, sep="\n  ", file=sys.stderr)
        return 1
    print(f"OK: the same data, files and verifications as {args.folder.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
