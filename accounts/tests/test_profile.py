import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def profile_data(user, **changes) -> dict:
    data = {
        "email": user.email,
        "phone": "",
        "organisation": "",
        "position": "",
        "email_notifications": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_a_trainee_updates_contacts_and_gives_consent(client, trainee):
    client.force_login(trainee)

    response = client.post(
        reverse("accounts:profile"),
        profile_data(
            trainee,
            phone="8 (900) 123-45-67",
            organisation="КЦСОН",
            position="Специалист",
            data_consent="on",
        ),
    )

    assert response.status_code == 302
    trainee.refresh_from_db()
    assert trainee.phone == "+79001234567"
    assert trainee.data_consent and trainee.data_consent_at is not None


def test_withdrawing_consent_clears_its_date(client, trainee):
    client.force_login(trainee)
    client.post(reverse("accounts:profile"), profile_data(trainee, data_consent="on"))

    client.post(reverse("accounts:profile"), profile_data(trainee))

    trainee.refresh_from_db()
    assert not trainee.data_consent and trainee.data_consent_at is None


def test_turning_email_notifications_off(client, trainee):
    client.force_login(trainee)

    client.post(reverse("accounts:profile"), profile_data(trainee, email_notifications=None))

    trainee.refresh_from_db()
    assert not trainee.email_notifications


@pytest.mark.parametrize(
    ("field", "value"),
    [("phone", "12345"), ("email", "not-an-email"), ("email", "")],
)
def test_bad_input_gets_a_message_and_changes_nothing(client, trainee, field, value):
    client.force_login(trainee)
    before = (trainee.email, trainee.phone)

    response = client.post(reverse("accounts:profile"), profile_data(trainee, **{field: value}))

    assert response.status_code == 200 and field in response.context["form"].errors
    trainee.refresh_from_db()
    assert (trainee.email, trainee.phone) == before


def test_an_invited_trainee_can_ask_for_a_password_link(client, trainee):
    from django.core import mail

    trainee.set_unusable_password()
    trainee.save()

    client.post(reverse("accounts:password_reset"), {"email": trainee.email})

    [message] = mail.outbox
    assert "/accounts/password-reset/" in message.body
