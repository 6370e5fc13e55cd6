"""The optional СНИЛС and date of birth on the profile, for the federal register's report."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.forms import age_on
from accounts.snils import format_snils, normalise_snils, snils_checksum

from .test_profile import profile_data

pytestmark = pytest.mark.django_db


def years_ago(years: int, *, days: int = 0) -> dt.date:
    today = timezone.localdate()
    try:
        day = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        day = today.replace(year=today.year - years, day=28)
    return day + dt.timedelta(days=days)


@pytest.mark.parametrize(
    ("first_nine", "check"),
    [
        ("112233445", 95),  # sum 95: the sum itself
        ("000000000", 0),
        ("100000001", 10),  # 9 + 1
        ("999999999", 45 * 9 % 101),  # 405 mod 101 = 1
    ],
)
def test_the_checksum(first_nine, check):
    assert snils_checksum(first_nine) == check


def test_sums_of_100_and_101_give_zero():
    # 100 = 9*9 + 8*2 + 3*1; 101 = 9*9 + 8*2 + 4*1 — hand-built sums at the boundary.
    assert snils_checksum("920000003") == 0
    assert snils_checksum("920000004") == 0
    assert snils_checksum("920000002") == 99


def test_above_101_the_sum_is_taken_mod_101_and_a_remainder_of_100_gives_zero_too():
    # 201 = 9*9 + 9*8 + 6*7 + 1*6: 201 mod 101 = 100, which gives 0 like a sum of 100.
    assert snils_checksum("996100000") == 0
    assert snils_checksum("996100001") == 0  # 202 mod 101 = 0
    assert snils_checksum("996000005") == 99  # 200 mod 101 = 99
    assert normalise_snils("996-100-000 00") == "99610000000"


@pytest.mark.parametrize("written", ["112-233-445 95", "11223344595", " 112 233 445 95 "])
def test_a_valid_snils_in_the_ways_people_write_it(written):
    assert normalise_snils(written) == "11223344595"


@pytest.mark.parametrize(
    "written",
    [
        "112-233-445 94",
        "112-233-445 96",
        "112-233-445 9",
        "112-233-445 955",
        "abc",
        "１１２-２３３-４４５ ９５",  # fullwidth digits: int() reads them, the register does not
        "١١٢٢٣٣٤٤٥٩٥",  # Arabic-Indic digits
    ],
)
def test_a_wrong_checksum_or_length_is_refused(written):
    assert normalise_snils(written) is None


def test_numbers_issued_before_the_checksum_are_not_checked():
    assert normalise_snils("001-001-998 77") == "00100199877"
    assert normalise_snils("000-000-001 00") == "00000000100"
    assert normalise_snils("000-000-000 00") is None  # no such number was ever issued
    assert normalise_snils("001-001-999 77") is None  # the first number that is checked


def test_shown_as_the_register_writes_it():
    assert format_snils("11223344595") == "112-233-445 95"
    assert format_snils("") == ""


def test_a_trainee_gives_snils_and_date_of_birth(client, trainee):
    client.force_login(trainee)
    birth = years_ago(30)

    response = client.post(
        reverse("accounts:profile"),
        profile_data(
            trainee, snils="112-233-445 95", birth_date=birth.isoformat(), data_consent="on"
        ),
    )

    assert response.status_code == 302
    trainee.refresh_from_db()
    assert trainee.snils == "11223344595"
    assert trainee.birth_date == birth
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "112-233-445 95" in page
    assert "Для федерального реестра (по желанию)" in page


def test_both_stay_optional(client, trainee):
    client.force_login(trainee)
    response = client.post(reverse("accounts:profile"), profile_data(trainee, position="Юрист"))
    assert response.status_code == 302
    trainee.refresh_from_db()
    assert trainee.snils == "" and trainee.birth_date is None


def test_a_wrong_snils_is_refused_and_nothing_is_saved(client, trainee):
    client.force_login(trainee)

    response = client.post(
        reverse("accounts:profile"),
        profile_data(trainee, snils="112-233-445 94", position="Юрист", data_consent="on"),
    )

    assert response.status_code == 200
    assert "snils" in response.context["form"].errors
    trainee.refresh_from_db()
    assert trainee.snils == "" and trainee.position == ""


@pytest.mark.parametrize(
    ("birth", "accepted"),
    [
        (lambda: years_ago(16), True),  # sixteen today
        (lambda: years_ago(16, days=1), False),  # sixteen tomorrow
        (lambda: years_ago(101, days=1), True),  # a hundred, 101 tomorrow
        (lambda: years_ago(101), False),  # 101 today
        (lambda: timezone.localdate() + dt.timedelta(days=1), False),  # the future
    ],
)
def test_the_age_bounds(client, trainee, birth, accepted):
    client.force_login(trainee)
    day = birth()

    response = client.post(
        reverse("accounts:profile"),
        profile_data(trainee, birth_date=day.isoformat(), data_consent="on"),
    )

    trainee.refresh_from_db()
    if accepted:
        assert response.status_code == 302 and trainee.birth_date == day
    else:
        assert response.status_code == 200 and "birth_date" in response.context["form"].errors
        assert trainee.birth_date is None


def test_age_counts_full_years():
    assert age_on(dt.date(2000, 5, 10), dt.date(2016, 5, 9)) == 15
    assert age_on(dt.date(2000, 5, 10), dt.date(2016, 5, 10)) == 16


@pytest.mark.parametrize(
    "given",
    [{"snils": "112-233-445 95"}, {"birth_date": "1990-05-10"}],
)
def test_without_consent_neither_is_kept_and_nothing_is_saved(client, trainee, given):
    client.force_login(trainee)

    response = client.post(
        reverse("accounts:profile"), profile_data(trainee, position="Юрист", **given)
    )

    assert response.status_code == 200
    assert set(response.context["form"].errors) == set(given)
    trainee.refresh_from_db()
    assert trainee.snils == "" and trainee.birth_date is None and trainee.position == ""


def test_withdrawing_consent_while_snils_is_held_asks_to_clear_it(client, trainee):
    client.force_login(trainee)
    client.post(
        reverse("accounts:profile"),
        profile_data(trainee, snils="112-233-445 95", data_consent="on"),
    )

    kept = client.post(reverse("accounts:profile"), profile_data(trainee, snils="112-233-445 95"))
    cleared = client.post(reverse("accounts:profile"), profile_data(trainee, snils=""))

    assert kept.status_code == 200 and "snils" in kept.context["form"].errors
    assert cleared.status_code == 302
    trainee.refresh_from_db()
    assert trainee.snils == "" and not trainee.data_consent
