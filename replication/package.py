"""The package file: a ZIP with a manifest, the content as JSON and the files it names.

```
manifest.json   schema, programme, version, origin, adapted from, a digest of every page and of
                every member of the archive
content.json    pages, question banks, documents, images, certificate template (see portable)
files/<sha256>.<ext>
```

`read` trusts nothing: a package that is not a ZIP, is cut short, holds a member the manifest
does not name (or misses one it names), has a member whose digest differs, or speaks a schema
this site does not know is refused with the reason, before anything is written. The digests
catch damage, not forgery: whoever can edit a package can recompute them, which is why an
imported programme is only ever a draft that the region's own approval stands between and
its readers.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from .portable import PAGE, Refused, canonical, references

SCHEMA = 1
KIND = "coordinator-school/programme"
MANIFEST = "manifest.json"
CONTENT = "content.json"
_FILE = re.compile(r"^files/[0-9a-f]{64}\.[a-z0-9]{1,8}$")
# A stored, reproducible archive: the same content gives the same bytes.
_EPOCH = (1980, 1, 1, 0, 0, 0)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def page_hashes(content: dict) -> dict[str, str]:
    """The digest of each page of a package: its type and content (not where it stands), and
    what it uses from elsewhere in the package — the question banks it draws on, the documents
    and images it shows — so that a corrected question or a replaced file changes the page."""
    used_objects = {}
    for key in ("banks", "documents", "images"):
        for entry in content.get(key, []):
            if isinstance(entry, dict):
                used_objects[entry.get("uid")] = entry
    hashes = {}
    for entry in content["pages"]:
        used = sorted(uid for label, uid in references(entry["data"]) if label != PAGE)
        hashed = {"type": entry["type"], "data": entry["data"]}
        if used:
            hashed["uses"] = [used_objects.get(uid) for uid in used]
        hashes[entry["uid"]] = digest(canonical(hashed).encode())
    return hashes


def max_bytes() -> int:
    return settings.REPLICATION_PACKAGE_MAX_BYTES


@dataclass
class Package:
    manifest: dict
    content: dict
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def uid(self) -> str:
        return str(self.manifest["programme"]["uid"])

    @property
    def version(self) -> int:
        return int(self.manifest["version"])

    @property
    def content_sha(self) -> str:
        return self.manifest["files"][CONTENT]


def write(manifest: dict, content: dict, files: dict[str, bytes]) -> bytes:
    """The archive's bytes; the manifest gets the digests of the content and of every file."""
    content_bytes = canonical(content).encode()
    manifest = {
        **manifest,
        "schema": SCHEMA,
        "kind": KIND,
        "pages": page_hashes(content),
        "files": {CONTENT: digest(content_bytes)}
        | {name: digest(data) for name, data in sorted(files.items())},
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        members = [(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True))]
        members += [(CONTENT, content_bytes), *sorted(files.items())]
        for name, data in members:
            archive.writestr(zipfile.ZipInfo(name, _EPOCH), data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _refuse(message: str):
    raise Refused(message)


def read(data: bytes) -> Package:
    """The package in `data`, checked throughout; `Refused` says what is wrong with it."""
    if len(data) > max_bytes():
        _refuse(_("The package is larger than this site accepts."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = [info.filename for info in archive.infolist()]
        if sum(info.file_size for info in archive.infolist()) > max_bytes():
            _refuse(_("The package unpacks to more than this site accepts."))
        if len(names) != len(set(names)) or MANIFEST not in names:
            _refuse(_("This is not a programme package: it has no manifest."))
        manifest = _json(archive.read(MANIFEST), MANIFEST)
        _check_manifest(manifest)
        expected = manifest["files"]
        if set(names) != {MANIFEST, *expected}:
            _refuse(_("The package's files are not those its manifest lists."))
        members = {}
        for name, sha in expected.items():
            if name != CONTENT and not _FILE.match(name):
                _refuse(_("The package names a file it may not hold: %(name)s.") % {"name": name})
            members[name] = archive.read(name)
            if digest(members[name]) != sha:
                _refuse(
                    _("The package is damaged: %(name)s is not what its manifest says.")
                    % {"name": name}
                )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError):
        _refuse(_("The file is not a programme package, or it is cut short."))
    content = _json(members.pop(CONTENT), CONTENT)
    _check_content(manifest, content)
    return Package(manifest=manifest, content=content, files=members)


def _json(data: bytes, name: str):
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        _refuse(_("The package is damaged: %(name)s cannot be read.") % {"name": name})


def _check_manifest(manifest) -> None:
    if not isinstance(manifest, dict) or manifest.get("kind") != KIND:
        _refuse(_("This is not a programme package."))
    if manifest.get("schema") != SCHEMA:
        _refuse(
            _("The package is of schema version %(found)s; this site reads version %(known)s.")
            % {"found": manifest.get("schema"), "known": SCHEMA}
        )
    programme = manifest.get("programme")
    files = manifest.get("files")
    if (
        not isinstance(programme, dict)
        or not isinstance(programme.get("uid"), str)
        or not isinstance(manifest.get("version"), int)
        or manifest["version"] < 1
        or not isinstance(files, dict)
        or CONTENT not in files
        or not isinstance(manifest.get("pages"), dict)
    ):
        _refuse(_("The package's manifest is incomplete."))


def _check_content(manifest: dict, content) -> None:
    if not isinstance(content, dict) or not isinstance(content.get("pages"), list):
        _refuse(_("The package's content cannot be read."))
    for key in ("banks", "documents", "images"):
        if not isinstance(content.get(key, []), list):
            _refuse(_("The package's content cannot be read."))
    pages = content["pages"]
    if not pages or any(
        not isinstance(entry, dict) or not {"uid", "parent", "type", "data"} <= set(entry)
        for entry in pages
    ):
        _refuse(_("The package's content cannot be read."))
    if page_hashes(content) != manifest["pages"]:
        _refuse(_("The package is damaged: its pages are not those its manifest lists."))
    if pages[0]["uid"] != manifest["programme"]["uid"] or pages[0]["parent"] is not None:
        _refuse(_("The package's content does not begin with its programme."))
    for entry in (*content.get("documents", []), *content.get("images", [])):
        if not isinstance(entry, dict) or entry.get("file") not in manifest["files"]:
            _refuse(_("The package names a file it does not hold."))
