"""Public verification: each state, the expiry boundary on the region's date, exactly the
printed fields from the frozen copy, unknown and malformed codes alike, and the rate limit."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from certificates.codes import ALPHABET, LENGTH, display_code, new_code, normalise_code
from certificates.models import Certificate, VerificationRequest
from certificates.rendering import printed_fields
from certificates.services import issue_certificate, reissue_certificate, revoke_certificate
from tests import factories

from .conftest import complete

pytestmark = pytest.mark.django_db

MOSCOW = ZoneInfo("Europe/Moscow")


def verify(client, code: str, *, ip: str = "192.0.2.1"):
    return client.get(reverse("certificates:verify", args=[code]), REMOTE_ADDR=ip)


def page_text(response, *, typed: str = "") -> str:
    """The page as a person sees it: without the per-request CSRF tokens and what they typed
    (the header's forms return to the address, which holds the code)."""
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return text.replace(typed, "…") if typed else text


def status_of(response) -> str:
    match = re.search(
        r'class="alert [^"]*verification-result" [^>]*data-status="([a-z]+)"',
        (response.content.decode()),
    )
    return match.group(1) if match else ""


def freeze(monkeypatch, moment: dt.datetime) -> None:
    """Make `timezone.now()` (and so `region_today`) answer `moment`."""
    monkeypatch.setattr(timezone, "now", lambda: moment)


@pytest.fixture
def holder(school):
    """A trainee with a distinctive login and e-mail, who has completed, and their certificate."""
    trainee = factories.user(
        "Trainee",
        username="zorkaya_sova_login",
        email="zorkaya.sova.mail@example.org",
        last_name="Воронцова",
        first_name="Анна",
        patronymic="Сергеевна",
    )
    enrolment = complete(factories.enrol(trainee, school.cohort))
    return issue_certificate(enrolment=enrolment, issued_by=school.official)


# The code


def test_codes_are_20_characters_of_the_alphabet_and_do_not_repeat():
    codes = [new_code() for _ in range(1000)]

    assert all(len(code) == LENGTH == 20 and set(code) <= set(ALPHABET) for code in codes)
    assert len(set(codes)) == 1000
    assert len(ALPHABET) ** LENGTH >= 2**100  # at least 80 bits; 100 in fact


def test_a_code_typed_loosely_is_understood():
    code = "0123456789ABCDEFGHJK"
    typed = " o123 4567-89ab cdef ghjk "

    assert normalise_code(typed) == code
    assert normalise_code(display_code(code).lower().replace("1", "I")) == code
    assert normalise_code(display_code(code).replace("1", "L")) == code
    assert normalise_code(display_code(code).lower().replace("1", "l")) == code
    assert normalise_code(code[:-1]) is None
    # Typed on a keyboard that gives full-width characters.
    full_width = "".join(chr(ord(char) + 0xFEE0) for char in display_code(code))
    assert normalise_code(full_width) == code
    assert normalise_code(code[:-1] + "U") is None  # not in the alphabet


# States


def test_a_valid_certificate_verifies_with_exactly_its_printed_fields(client, holder):
    response = verify(client, holder.code)
    page = response.content.decode()

    assert response.status_code == 200
    assert status_of(response) == "valid"
    assert "Действительно" in page
    for label, value in printed_fields(holder):
        assert f'<th scope="row">{label}</th><td>{value}</td>' in page.replace("&quot;", '"')
    assert "И. И. Петрова, Ректор" in page
    assert "Воронцова Анна Сергеевна" in page


def test_the_page_shows_nothing_but_what_is_printed(client, holder, school):
    page = verify(client, holder.code).content.decode()

    for private in (
        "zorkaya.sova.mail@example.org",
        "zorkaya_sova_login",
        school.cohort.name,
        reverse("certificates:detail", args=[holder.pk]),
        reverse("certificates:download", args=[holder.pk]),
        reverse("records:record", args=[holder.enrolment_id]),
    ):
        assert private not in page


def test_a_typed_code_in_any_form_finds_the_certificate(client, holder):
    loose = display_code(holder.code).lower().replace("-", " ").replace("0", "o")

    response = client.get(reverse("certificates:verify", args=[loose.replace(" ", "-")]))
    found = client.get(reverse("certificates:verify_form"), {"code": loose})

    assert status_of(response) == "valid"
    assert found.status_code == 302
    assert found.url == reverse("certificates:verify", args=[display_code(holder.code)])
    assert status_of(client.get(found.url)) == "valid"


def test_the_form_explains_a_code_that_cannot_be_one(client):
    response = client.get(reverse("certificates:verify_form"), {"code": "12345"})

    assert response.status_code == 200
    assert "20 букв и цифр" in response.content.decode()


def test_unknown_and_malformed_codes_get_the_same_answer(client, holder):
    code = new_code()
    unknown = verify(client, code)
    malformed = verify(client, "not-a-code-at-all")

    assert unknown.status_code == malformed.status_code == 404
    assert page_text(unknown, typed=code) == page_text(malformed, typed="not-a-code-at-all")
    assert "Документ с таким кодом не найден" in unknown.content.decode()
    assert holder.serial not in unknown.content.decode()


def test_a_revoked_certificate_shows_the_date_and_the_public_reason_only(
    client, holder, school, monkeypatch
):
    freeze(monkeypatch, dt.datetime(2026, 12, 21, 10, 0, tzinfo=MOSCOW))
    revoke_certificate(
        certificate=holder,
        by=school.official,
        reason="Жалоба № 17, служебная проверка",
        public_reason="Выдано ошибочно",
    )

    response = verify(client, holder.code)
    page = response.content.decode()

    assert status_of(response) == "revoked"
    assert "Отозвано" in page
    assert "21 декабря 2026" in page
    assert "Выдано ошибочно" in page
    assert "Жалоба" not in page and "служебная" not in page


@pytest.mark.parametrize(
    ("time_zone", "moment", "shown"),
    [
        # 22:30 UTC is already 01:30 the next day in Moscow (UTC+3).
        ("Europe/Moscow", dt.datetime(2026, 12, 21, 22, 30, tzinfo=dt.UTC), "22 декабря 2026"),
        ("Europe/Moscow", dt.datetime(2026, 12, 21, 20, 59, tzinfo=dt.UTC), "21 декабря 2026"),
        # 15:00 UTC is 01:00 the next day in Vladivostok (UTC+10).
        ("Asia/Vladivostok", dt.datetime(2026, 12, 21, 15, 0, tzinfo=dt.UTC), "22 декабря 2026"),
        ("Asia/Vladivostok", dt.datetime(2026, 12, 21, 13, 59, tzinfo=dt.UTC), "21 декабря 2026"),
    ],
)
def test_the_revocation_date_is_the_regions_date_not_utcs(
    client, holder, school, monkeypatch, time_zone, moment, shown
):
    region = holder.region
    region.time_zone = time_zone
    region.save()
    freeze(monkeypatch, moment)
    revoke_certificate(certificate=holder, by=school.official, reason="Ошибка в данных")

    page = verify(client, holder.code).content.decode()

    assert f"Документ отозван {shown} и больше не действует." in page


def test_a_revoked_certificate_without_a_public_reason_gives_none(client, holder, school):
    revoke_certificate(certificate=holder, by=school.official, reason="Служебная причина")

    page = verify(client, holder.code).content.decode()

    assert "Отозвано" in page and "Служебная причина" not in page


def test_a_replaced_certificate_names_the_new_serial_but_not_its_code(client, holder, school):
    holder.trainee.last_name = "Орлова"
    holder.trainee.save()
    new = reissue_certificate(certificate=holder, by=school.official, reason="смена фамилии")

    old_page = verify(client, holder.code)
    new_page = verify(client, new.code)

    assert status_of(old_page) == "superseded"
    assert "Заменено" in old_page.content.decode()
    assert new.serial in old_page.content.decode()
    assert new.code not in old_page.content.decode()
    assert display_code(new.code) not in old_page.content.decode()
    assert status_of(new_page) == "valid"
    assert "Орлова Анна Сергеевна" in new_page.content.decode()
    assert "Воронцова" in old_page.content.decode()


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # The last valid day, late in the evening in Moscow: still valid.
        (dt.datetime(2027, 11, 19, 23, 59, tzinfo=MOSCOW), "valid"),
        # The next day, just after midnight in Moscow (still the 19th in UTC): expired.
        (dt.datetime(2027, 11, 19, 21, 30, tzinfo=dt.UTC), "expired"),
        (dt.datetime(2027, 11, 20, 12, 0, tzinfo=MOSCOW), "expired"),
    ],
)
def test_a_certificate_expires_the_day_after_its_last_valid_day_in_its_region(
    client, school, monkeypatch, moment, expected
):
    certificate = factories.certificate(school.done[0], expires_on=dt.date(2027, 11, 19))
    freeze(monkeypatch, moment)

    response = verify(client, certificate.code)

    assert status_of(response) == expected
    if expected == "expired":
        assert "Срок действия истёк" in response.content.decode()
        assert "19 ноября 2027" in response.content.decode()


def test_renaming_the_trainee_and_the_programme_changes_nothing_shown(client, holder, school):
    before = page_text(verify(client, holder.code))

    holder.trainee.last_name = "Другая"
    holder.trainee.first_name = "Фамилия"
    holder.trainee.save()
    school.program.title = "Совсем другая программа"
    school.program.save_revision().publish()
    school.template.organisation = "Другая организация"
    school.template.save()

    after = page_text(verify(client, holder.code))
    assert after == before
    assert "Другая" not in after


# Headers


def test_results_are_never_cached_nor_sent_on_to_other_sites(client, holder):
    for response in (
        verify(client, holder.code),
        verify(client, new_code()),
        client.get(reverse("certificates:verify_form")),
    ):
        assert "no-store" in response["Cache-Control"]
        assert response["Referrer-Policy"] == "no-referrer"
        assert "noindex" in response["X-Robots-Tag"]
        assert '<meta name="robots" content="noindex, nofollow">' in response.content.decode()


def test_verification_needs_no_sign_in(client, holder):
    assert verify(client, holder.code).status_code == 200
    assert client.get(reverse("certificates:verify_form")).status_code == 200


# The limit


@override_settings(CERTIFICATE_VERIFY_LIMIT=3)
def test_the_limit_counts_known_and_unknown_codes_alike_per_address(client, holder):
    answers = [
        verify(client, holder.code).status_code,
        verify(client, new_code()).status_code,
        verify(client, "rubbish").status_code,
    ]
    refused_known = verify(client, holder.code)
    unknown_code = new_code()
    refused_unknown = verify(client, unknown_code)
    form = client.get(reverse("certificates:verify_form"), REMOTE_ADDR="192.0.2.1")
    elsewhere = verify(client, holder.code, ip="198.51.100.7")

    assert answers == [200, 404, 404]
    assert refused_known.status_code == refused_unknown.status_code == form.status_code == 429
    assert refused_known["Retry-After"] == str(10 * 60)
    assert page_text(refused_known, typed=holder.code) == page_text(
        refused_unknown, typed=unknown_code
    )
    assert "Слишком много кодов" in refused_known.content.decode()
    assert holder.serial not in refused_known.content.decode()
    assert elsewhere.status_code == 200


@override_settings(CERTIFICATE_VERIFY_LIMIT=3)
def test_the_form_page_counts_nothing_by_itself(client, holder):
    for _ in range(5):
        assert client.get(reverse("certificates:verify_form")).status_code == 200
        client.get(reverse("certificates:verify_form"), {"code": "short"})

    assert verify(client, holder.code).status_code == 200


@override_settings(CERTIFICATE_VERIFY_LIMIT=2, CERTIFICATE_VERIFY_WINDOW=dt.timedelta(minutes=10))
def test_the_limit_lifts_when_the_window_has_passed(client, holder, monkeypatch):
    start = timezone.now()
    verify(client, holder.code)
    verify(client, holder.code)
    assert verify(client, holder.code).status_code == 429

    freeze(monkeypatch, start + dt.timedelta(minutes=10, seconds=1))

    assert verify(client, holder.code).status_code == 200
    assert VerificationRequest.objects.count() == 1  # the old ones are gone


def test_statuses_follow_the_model_order(holder):
    # Sanity: the page's states are the model's.
    assert {choice for choice, _label in Certificate.Status.choices} == {
        "valid",
        "revoked",
        "annulled",
        "superseded",
        "expired",
    }


@pytest.mark.parametrize(
    "typed",
    ["", " ", "\x00" * 20, "Ｏ" * 19, "²" * 20, "a" * 10_000, "'; DROP TABLE x; --", "%", "𝟘" * 20],
)
def test_anything_typed_gets_a_clear_answer_and_never_a_500(client, typed):
    form = client.get(reverse("certificates:verify_form"), {"code": typed})
    path = client.get("/verify/" + typed.replace("\x00", "%00") + "x/")

    assert form.status_code == 200
    assert path.status_code == 404


@override_settings(CERTIFICATE_VERIFY_LIMIT=2, CERTIFICATE_VERIFY_WINDOW=dt.timedelta(minutes=10))
def test_a_look_up_counts_until_the_window_s_last_instant_and_not_after(
    client, holder, monkeypatch
):
    """The window includes its start: a look-up made exactly ten minutes ago still counts (and
    is not cleaned away); a microsecond later it no longer does."""
    start = timezone.now()
    freeze(monkeypatch, start)
    verify(client, holder.code)
    verify(client, holder.code)

    freeze(monkeypatch, start + dt.timedelta(minutes=10))
    assert verify(client, holder.code).status_code == 429
    assert VerificationRequest.objects.filter(requested_at=start).count() == 2

    freeze(monkeypatch, start + dt.timedelta(minutes=10, microseconds=1))
    assert verify(client, holder.code).status_code == 200


def test_a_kept_verification_shows_a_revocation_at_once(client, holder, school):
    """The verification of a code is kept for every visitor (core.freshness): asked again, it
    reads no certificate; a revocation shows on the next look-up all the same."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert status_of(verify(client, holder.code)) == "valid"
    with CaptureQueriesContext(connection) as kept:
        assert status_of(verify(client, holder.code, ip="192.0.2.2")) == "valid"
    assert not any("certificates_certificate" in query["sql"] for query in kept.captured_queries)

    revoke_certificate(certificate=holder, by=school.official, reason="Служебная причина")

    assert status_of(verify(client, holder.code, ip="192.0.2.3")) == "revoked"


def test_a_code_unknown_until_its_certificate_is_issued_is_found_at_once(client, holder):
    code = new_code()
    assert verify(client, code).status_code == 404

    other = factories.enrol(factories.user("Trainee"), holder.cohort)
    factories.certificate(other, code=code)

    response = verify(client, code, ip="192.0.2.9")
    assert response.status_code == 200 and status_of(response) == "valid"
