"""The Russian translation: `locale/ru/LC_MESSAGES/django.po` is its one source, edited by hand.

Every entry must be translated, none may be a fuzzy guess, every placeholder of the English must
survive in the Russian (a lost `%(count)s` raises at run time), and every text the code and the
templates mark for translation must have its entry — found by running `makemessages` over a copy
of the sources, so the real file is never touched.
"""

import datetime as dt
import os
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from tests import factories

ROOT = Path(settings.BASE_DIR)
PO = ROOT / "locale" / "ru" / "LC_MESSAGES" / "django.po"
# `%(name)s`, `%s`, `%d`, `%(count).1f` … but not a literal `%%`.
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdfrix]|\{[a-z_]*\}")
SOURCE_SUFFIXES = {".py", ".html", ".txt"}
SOURCE_IGNORED = {".git", ".venv", "var", "locale", "node_modules", "__pycache__", "static"}


def entries() -> list[polib.POEntry]:
    return [entry for entry in polib.pofile(str(PO)) if not entry.obsolete]


def nplurals() -> int:
    header = polib.pofile(str(PO)).metadata["Plural-Forms"]
    return int(re.search(r"nplurals=(\d+)", header).group(1))


def untranslated(entry: polib.POEntry, forms: int) -> bool:
    if entry.msgid_plural:
        return any(not entry.msgstr_plural.get(index, "").strip() for index in range(forms))
    return not entry.msgstr.strip()


def test_every_entry_is_translated():
    forms = nplurals()

    missing = [entry.msgid for entry in entries() if untranslated(entry, forms)]

    assert missing == [], "Untranslated in django.po:\n" + "\n".join(missing)


def test_no_entry_is_fuzzy():
    po = polib.pofile(str(PO))

    fuzzy = [entry.msgid for entry in po if "fuzzy" in entry.flags]

    # A fuzzy header marks the whole file as not to be trusted by some tools.
    assert not po.metadata_is_fuzzy
    assert fuzzy == [], "Fuzzy in django.po (a guess by makemessages):\n" + "\n".join(fuzzy)


def test_no_text_is_translated_twice():
    """Two entries for one text: gettext keeps one of them, and msgfmt refuses the file."""
    seen = Counter((entry.msgctxt, entry.msgid) for entry in entries())

    assert [msgid for (_context, msgid), count in seen.items() if count > 1] == []


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text.replace("%%", "")))


def test_the_russian_keeps_every_named_placeholder():
    # A named placeholder is filled from a dict: the Russian may reorder them, never drop or
    # misspell one. (A plural's singular may drop the count: «одна попытка».)
    broken = []
    for entry in entries():
        wanted = {p for p in placeholders(entry.msgid) if p.startswith("%(")}
        if entry.msgid_plural:
            wanted |= {p for p in placeholders(entry.msgid_plural) if p.startswith("%(")}
            translations = list(entry.msgstr_plural.values())
        else:
            translations = [entry.msgstr]
        for russian in translations:
            found = {p for p in placeholders(russian) if p.startswith("%(")}
            if found - wanted or (not entry.msgid_plural and wanted - found):
                broken.append(f"{entry.msgid!r}: {russian!r}")

    assert broken == [], "Placeholders differ:\n" + "\n".join(broken)


def copy_sources(target: Path) -> None:
    for path in ROOT.rglob("*"):
        relative = path.relative_to(ROOT)
        if set(relative.parts) & SOURCE_IGNORED or path.suffix not in SOURCE_SUFFIXES:
            continue
        if path.is_file():
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target / relative)


def gettext_available() -> bool:
    try:
        subprocess.run(["xgettext", "--version"], capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return False
    return True


def test_every_text_marked_in_the_code_has_an_entry(tmp_path, monkeypatch):
    if not gettext_available():
        if os.environ.get("CI"):
            pytest.fail("makemessages needs GNU gettext (xgettext): install the gettext package.")
        pytest.skip("GNU gettext (xgettext) is not installed; CI installs it.")
    copy_sources(tmp_path)
    (tmp_path / "locale").mkdir()
    monkeypatch.chdir(tmp_path)

    with override_settings(LOCALE_PATHS=[tmp_path / "locale"]):
        call_command("makemessages", locale=["ru"], verbosity=0, no_obsolete=True)

    extracted = polib.pofile(str(tmp_path / "locale" / "ru" / "LC_MESSAGES" / "django.po"))
    ours = {(entry.msgctxt, entry.msgid) for entry in entries()}
    marked = {(entry.msgctxt, entry.msgid) for entry in extracted if entry.msgid}
    missing = sorted(msgid for _context, msgid in marked - ours)
    assert missing == [], "Marked for translation but not in django.po:\n" + "\n".join(missing)


# Our own labels in the admin: roles, apps, menu items -------------------------------------

OUR_APPS = (
    "accounts",
    "content",
    "courses",
    "assessments",
    "certificates",
    "notifications",
    "schedule",
    "security",
)
ROLES_RU = [
    "Слушатель",
    "Преподаватель",
    "Старший преподаватель",
    "Региональный куратор",
    "Федеральный куратор",
    "Администратор",
]


def admin_page(client, path: str) -> str:
    client.force_login(factories.user("Administrator", is_superuser=True))
    response = client.get(path)
    assert response.status_code == 200
    # The sidebar's menu is JSON in the page; read its escapes back as letters.
    return re.sub(
        r"\\u([0-9a-fA-F]{4})", lambda code: chr(int(code.group(1), 16)), response.content.decode()
    )


def test_every_app_of_ours_has_a_russian_name():
    with translation.override("ru"):
        names = {label: str(apps.get_app_config(label).verbose_name) for label in OUR_APPS}

    assert all(re.search("[а-яё]", name, re.IGNORECASE) for name in names.values()), names


@pytest.mark.django_db
def test_the_admin_names_the_roles_in_russian(client):
    groups = admin_page(client, reverse("wagtailusers_groups:index"))
    new_user = admin_page(client, reverse("wagtailusers_users:add"))
    users = admin_page(client, reverse("wagtailusers_users:index"))

    for page in (groups, new_user):
        assert all(role in page for role in ROLES_RU), [r for r in ROLES_RU if r not in page]
        assert not re.search(r">\s*(Trainee|Regional official|Federal official)\s*<", page)
    assert "Региональный куратор" in users  # the filter by role


@pytest.mark.django_db
def test_the_admin_menu_items_of_ours_are_in_russian(client):
    page = admin_page(client, reverse("wagtailadmin_home"))

    for russian in ("Банки вопросов", "Вопросы", "Спикеры", "Блокировки входа"):
        assert russian in page
    for english in ("Question banks", "Speakers", "Sign-in lockouts"):
        assert english not in page


# Time zones as people say them, on the pages that show times --------------------------------


def schedule_pages(client, region_code: str) -> str:
    from schedule.models import Session

    cohort = factories.cohort(factories.program(), region_code=region_code)
    starts = dt.datetime(2026, 10, 12, 7, 0, tzinfo=dt.UTC)
    ends = starts + dt.timedelta(hours=2)
    session = Session.objects.create(cohort=cohort, topic="Семья", starts_at=starts, ends_at=ends)
    instructor = factories.user("Instructor", region_code=region_code)
    cohort.instructors.add(instructor)
    client.force_login(instructor)
    urls = [
        reverse("schedule:cohort", args=(cohort.pk,)),
        reverse("schedule:session", args=(session.pk,)),
        reverse("schedule:session_edit", args=(session.pk,)),
    ]
    pages = [client.get(url) for url in urls]
    assert [page.status_code for page in pages] == [200, 200, 200]
    return "\n".join(page.content.decode() for page in pages)


@pytest.mark.django_db
def test_schedule_pages_say_moscow_time_never_the_zone_name(client):
    pages = schedule_pages(client, "68")  # Tambov keeps Moscow time

    assert "Время занятий указано по московскому времени." in pages
    assert "12 октября 2026, 10:00–12:00</time> (по московскому времени)" in pages
    assert "Europe/Moscow" not in pages


@pytest.mark.django_db
def test_schedule_pages_give_the_offset_of_a_region_east_of_moscow(client):
    pages = schedule_pages(client, "86")  # Yugra: Yekaterinburg time

    assert "Время занятий указано по времени UTC+5 (МСК+2)." in pages
    assert "время указывайте по времени UTC+5 (МСК+2)" in pages
    assert "12:00–14:00</time> (по времени UTC+5 (МСК+2))" in pages
    assert "Asia/Yekaterinburg" not in pages
