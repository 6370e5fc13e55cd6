"""Consent to processing: kept with its purpose, date and the version of the text agreed to."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Consent, ConsentText
from accounts.services import consent_give, consent_withdraw
from accounts.tests.test_profile import profile_data

pytestmark = pytest.mark.django_db


def test_the_first_text_is_in_force_with_its_purpose():
    text = ConsentText.current()

    assert text.version == "1.0"
    assert "ФИС ФРДО" in text.purpose


def test_consent_given_on_the_profile_records_the_version_and_the_moment(client, trainee):
    client.force_login(trainee)
    before = timezone.now()

    client.post(reverse("accounts:profile"), profile_data(trainee, data_consent="on"))

    [consent] = Consent.objects.filter(user=trainee)
    assert consent.text == ConsentText.current() and consent.withdrawn_at is None
    assert before <= consent.given_at <= timezone.now()
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "версии 1.0" in page and ConsentText.current().purpose in page


def test_withdrawing_ends_the_consent_and_keeps_its_history(client, trainee):
    client.force_login(trainee)
    client.post(reverse("accounts:profile"), profile_data(trainee, data_consent="on"))

    client.post(reverse("accounts:profile"), profile_data(trainee))

    [consent] = Consent.objects.filter(user=trainee)
    assert consent.withdrawn_at is not None
    trainee.refresh_from_db()
    assert not trainee.data_consent and trainee.data_consent_at is None


def test_saving_the_profile_again_records_nothing_new(client, trainee):
    client.force_login(trainee)
    client.post(reverse("accounts:profile"), profile_data(trainee, data_consent="on"))

    client.post(
        reverse("accounts:profile"), profile_data(trainee, data_consent="on", position="Юрист")
    )

    assert Consent.objects.filter(user=trainee).count() == 1


def test_a_new_version_asks_to_agree_again_and_the_old_consent_ends(client, trainee):
    client.force_login(trainee)
    client.post(reverse("accounts:profile"), profile_data(trainee, data_consent="on"))
    newer = ConsentText.objects.create(
        version="2.0", purpose="Обучение", body="Новый текст", in_force_from=timezone.localdate()
    )

    asked = client.get(reverse("accounts:profile")).content.decode()
    client.post(reverse("accounts:consent_renew"))

    assert "consent-renew" in asked and "версию 2.0" in asked
    old, new = Consent.objects.filter(user=trainee).order_by("pk")
    assert old.withdrawn_at is not None and new.text == newer and new.withdrawn_at is None
    assert "consent-renew" not in client.get(reverse("accounts:profile")).content.decode()


def test_a_version_in_force_tomorrow_is_not_asked_for_today(client, trainee):
    client.force_login(trainee)
    client.post(reverse("accounts:profile"), profile_data(trainee, data_consent="on"))
    ConsentText.objects.create(
        version="2.0",
        purpose="Обучение",
        body="Новый текст",
        in_force_from=timezone.localdate() + dt.timedelta(days=1),
    )

    assert ConsentText.current().version == "1.0"
    assert "consent-renew" not in client.get(reverse("accounts:profile")).content.decode()


def test_renewing_without_a_consent_gives_none(client, trainee):
    client.force_login(trainee)

    client.post(reverse("accounts:consent_renew"))

    assert not Consent.objects.filter(user=trainee).exists()


def test_a_version_someone_agreed_to_cannot_be_edited_but_an_unused_one_can(trainee):
    text = ConsentText.current()
    unused = ConsentText.objects.create(
        version="3.0", purpose="Обучение", body="Черновик", in_force_from=dt.date(2030, 1, 1)
    )
    consent_give(user=trainee, text=text)

    text.body += " Изменено."
    unused.body += " Изменено."

    with pytest.raises(ValidationError):
        text.clean()
    unused.clean()  # nobody agreed to it yet


def test_the_database_keeps_one_consent_in_force_per_person(trainee):
    text = ConsentText.current()
    Consent.objects.create(user=trainee, text=text, given_at=timezone.now())

    with pytest.raises(IntegrityError), transaction.atomic():
        Consent.objects.create(user=trainee, text=text, given_at=timezone.now())


def test_giving_again_to_the_version_in_force_keeps_the_first_consent(trainee):
    first = consent_give(user=trainee, text=ConsentText.current())

    again = consent_give(user=trainee, text=ConsentText.current())

    assert again.pk == first.pk
    [kept] = Consent.objects.filter(user=trainee)
    assert kept.given_at == first.given_at and kept.withdrawn_at is None
    trainee.refresh_from_db()
    assert trainee.data_consent_at == first.given_at


def test_withdrawing_takes_the_snils_and_the_date_of_birth_with_it(trainee):
    consent_give(user=trainee, text=ConsentText.current())
    trainee.snils, trainee.birth_date = "11223344595", dt.date(1990, 5, 17)
    trainee.save()

    consent_withdraw(user=trainee)

    assert (trainee.snils, trainee.birth_date) == ("", None)
    trainee.refresh_from_db()
    assert (trainee.snils, trainee.birth_date) == ("", None)
    assert not trainee.data_consent


@pytest.mark.parametrize("field", ["version", "purpose", "body"])
def test_no_part_of_an_agreed_version_can_be_edited(trainee, field):
    text = ConsentText.current()
    consent_give(user=trainee, text=text)

    setattr(text, field, getattr(text, field) + "9")

    with pytest.raises(ValidationError):
        text.clean()
