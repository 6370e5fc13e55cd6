"""The certificate template in the Wagtail admin: who may edit it, the placeholder check on
every save, and the preview filled with a sample trainee."""

from __future__ import annotations

import html

import pytest
from django.contrib.auth.models import Group
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from certificates.models import Certificate, CertificateTemplate
from certificates.placeholders import PLACEHOLDERS, fill, placeholder_error
from tests import factories

pytestmark = pytest.mark.django_db

ADD = "wagtailsnippets_certificates_certificatetemplate:add"
EDIT = "wagtailsnippets_certificates_certificatetemplate:edit"
PREVIEW_ADD = "wagtailsnippets_certificates_certificatetemplate:preview_on_add"
PREVIEW_EDIT = "wagtailsnippets_certificates_certificatetemplate:preview_on_edit"


def form_data(program, **fields) -> dict:
    """What the admin's form posts for a template with one signatory."""
    return {
        "program": program.pk,
        "kind_rule": "by_hours",
        "validity_months": "",
        "organisation": "ТОГОАУ ДПО «Институт повышения квалификации»",
        "licence": "Лицензия № Л035-01234-68/00123456",
        "city": "Тамбов",
        "heading": "",
        "body": "прошла обучение по программе «{program}» в объёме {total_hours} ч.",
        "footer": "",
        "logo": "",
        "background": "",
        "signatories-TOTAL_FORMS": "1",
        "signatories-INITIAL_FORMS": "0",
        "signatories-MIN_NUM_FORMS": "1",
        "signatories-MAX_NUM_FORMS": "3",
        "signatories-0-id": "",
        "signatories-0-name": "И. И. Петрова",
        "signatories-0-position": "Ректор",
        "signatories-0-ORDER": "1",
        "signatories-0-DELETE": "",
        **fields,
    }


@pytest.fixture
def admin(db):
    return factories.user("Administrator", is_superuser=True)


@pytest.fixture
def program(db):
    factories.site_home()
    return factories.program([[("theory", "4"), ("practice", "14")]], title="Школа координаторов")


def test_a_template_with_known_placeholders_is_saved(client, admin, program):
    client.force_login(admin)
    every = " ".join(f"{{{name}}}" for name in PLACEHOLDERS)

    response = client.post(
        reverse(ADD), form_data(program, heading="{kind}", body=every, footer="{{ скобки }}")
    )

    assert response.status_code == 302, response.content.decode()[-3000:]
    template = CertificateTemplate.objects.get(program=program)
    assert template.body == every
    assert [signatory.name for signatory in template.signatories.all()] == ["И. И. Петрова"]


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        ("body", "выдано {fullname}", "Неизвестная подстановка: {fullname}."),
        ("heading", "{program.title}", "Подстановка {program.title} записана неверно"),
        ("footer", "{0}", "Подстановка {0} записана неверно"),
        ("body", "{full_name!r}", "Подстановка {full_name!r} записана неверно"),
        ("body", "{full_name:>40}", "Подстановка {full_name:>40} записана неверно"),
        ("body", "{}", "Подстановка {} записана неверно"),
        ("footer", "открыта { и не закрыта", "Фигурная скобка не закрыта или не открыта"),
        ("heading", "лишняя }", "Фигурная скобка не закрыта или не открыта"),
    ],
)
def test_an_unknown_or_malformed_placeholder_is_refused_and_nothing_saved(
    client, admin, program, field, text, message
):
    client.force_login(admin)

    response = client.post(reverse(ADD), form_data(program, **{field: text}))

    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert message in page
    assert "Допустимые подстановки: {full_name}, {last_name}" in page
    assert not CertificateTemplate.objects.exists()


def test_an_edit_with_an_unknown_placeholder_changes_nothing(client, admin, program):
    template = factories.certificate_template(program, body="старый текст {full_name}")
    signatory = template.signatories.get()
    client.force_login(admin)
    data = form_data(
        program,
        body="новый текст {holder}",
        organisation="Другая организация",
        **{
            "signatories-INITIAL_FORMS": "1",
            "signatories-0-id": str(signatory.pk),
            "signatories-0-name": "Другой подписант",
        },
    )

    response = client.post(reverse(EDIT, args=(template.pk,)), data)

    assert response.status_code == 200
    assert "Неизвестная подстановка: {holder}" in html.unescape(response.content.decode())
    template.refresh_from_db()
    assert (template.body, template.organisation) == (
        "старый текст {full_name}",
        "ТОГОАУ ДПО «Институт повышения квалификации»",
    )
    assert template.signatories.get().name == "И. И. Петрова"

    data["body"] = "новый текст {full_name}"
    assert client.post(reverse(EDIT, args=(template.pk,)), data).status_code == 302
    template.refresh_from_db()
    assert template.body == "новый текст {full_name}"
    assert template.signatories.get().name == "Другой подписант"


def test_a_template_needs_a_signatory(client, admin, program):
    client.force_login(admin)
    data = form_data(program, **{"signatories-TOTAL_FORMS": "0"})

    response = client.post(reverse(ADD), data)

    assert response.status_code == 200
    assert not CertificateTemplate.objects.exists()


@pytest.mark.parametrize(("months", "saved"), [("0", False), ("1", True)])
def test_a_validity_is_at_least_a_month(client, admin, program, months, saved):
    client.force_login(admin)

    response = client.post(reverse(ADD), form_data(program, validity_months=months))

    assert response.status_code == (302 if saved else 200)
    assert CertificateTemplate.objects.filter(validity_months=int(months)).exists() == saved


def test_one_template_per_programme(client, admin, program):
    factories.certificate_template(program)
    client.force_login(admin)

    response = client.post(reverse(ADD), form_data(program))

    assert response.status_code == 200
    assert CertificateTemplate.objects.count() == 1


def test_the_model_refuses_it_outside_the_admin_too(program):
    template = CertificateTemplate(program=program, organisation="Институт", footer="{signature}")

    with pytest.raises(ValidationError) as refused:
        template.full_clean()

    assert set(refused.value.message_dict) == {"footer"}
    assert "{signature}" in refused.value.message_dict["footer"][0]


def test_the_check_and_fill_agree_on_what_is_a_placeholder():
    values = {name: f"<{name}>" for name in PLACEHOLDERS}

    assert placeholder_error("{full_name}, {{literal}}") is None
    assert fill("{full_name}, {{literal}}", values) == "<full_name>, {literal}"
    # Text saved before the check existed prints as typed, never raising.
    for text in ("{unknown}", "{full_name.x}", "{0}", "{full_name!r}", "{", "}", "a {b"):
        assert placeholder_error(text) is not None
        assert fill(text, values) == text
    assert fill("{unknown} и {full_name}", values) == "{unknown} и <full_name>"


def _preview(client, url: str, data: dict, **params) -> object:
    answer = client.post(url, data).json()
    assert answer == {"is_valid": True, "is_available": True}
    return client.get(url, params)


def test_the_preview_shows_the_certificate_with_a_sample_trainee(client, admin, program):
    trainee = factories.user("Trainee", last_name="Настоящая", first_name="Слушательница")
    cohort = factories.cohort(program)
    factories.enrol(trainee, cohort)
    client.force_login(admin)
    data = form_data(program, body="{full_name} прошла «{program}» ({practice_hours} ч практики)")

    response = _preview(client, reverse(PREVIEW_ADD), data)

    page = response.content.decode()
    today = timezone.localdate()
    assert "Иванова Мария Петровна прошла «Школа координаторов" in page
    assert program.title in page
    assert "18 акад. ч" in page and "14 ч практики" in page
    assert f"68-{today.year}-00001" in page
    assert "SAMP-0000-0000-0000-0001" in page and "<svg" in page
    assert "Настоящая" not in page and "Слушательница" not in page
    assert "certificates/certificate.css" in page  # the printed page's own stylesheet,
    assert finders.find("certificates/certificate.css")  # served with its fonts beside it
    assert finders.find("certificates/fonts/PTSerif-Regular.ttf")
    assert not Certificate.objects.exists()  # nothing issued for a preview


def test_the_preview_of_a_saved_template_uses_the_unsaved_edits(client, admin, program):
    template = factories.certificate_template(program, heading="Старый заголовок")
    client.force_login(admin)
    edit_page = client.get(reverse(EDIT, args=(template.pk,))).content.decode()
    assert reverse(PREVIEW_EDIT, args=(template.pk,)) in edit_page  # the live preview panel
    assert "{full_name} — фамилия, имя и отчество владельца" in html.unescape(edit_page)
    data = form_data(program, heading="Новый заголовок {city}")

    page = _preview(client, reverse(PREVIEW_EDIT, args=(template.pk,)), data).content.decode()

    assert "Новый заголовок Тамбов" in page and "Старый заголовок" not in page
    # The kind still prints under an author's own heading: it is one of the printed facts.
    assert "Удостоверение о повышении квалификации" in page
    template.refresh_from_db()
    assert template.heading == "Старый заголовок"


def test_the_pdf_preview_is_a_pdf(client, admin, program):
    client.force_login(admin)

    response = _preview(client, reverse(PREVIEW_ADD), form_data(program), mode="pdf")

    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_no_preview_of_an_unknown_placeholder(client, admin, program):
    client.force_login(admin)

    answer = client.post(reverse(PREVIEW_ADD), form_data(program, body="{nope}")).json()

    assert answer["is_valid"] is False


def test_senior_instructors_edit_templates_and_instructors_only_look(
    client, senior_instructor, instructor, program
):
    client.force_login(senior_instructor)
    assert client.post(reverse(ADD), form_data(program)).status_code == 302
    template = CertificateTemplate.objects.get()

    client.force_login(instructor)
    inspect = reverse(
        "wagtailsnippets_certificates_certificatetemplate:inspect", args=(template.pk,)
    )
    assert client.get(inspect).status_code == 200
    response = client.post(
        reverse(EDIT, args=(template.pk,)), form_data(program, organisation="Чужая")
    )
    assert response.status_code == 302 and "/admin/" in response.url
    template.refresh_from_db()
    assert template.organisation != "Чужая"


def test_the_role_groups_carry_the_template_permissions():
    def codenames(role: str) -> set[str]:
        permissions = Group.objects.get(name=role).permissions
        certificates = permissions.filter(content_type__app_label="certificates")
        return set(certificates.values_list("codename", flat=True))

    edit = {"add_certificatetemplate", "change_certificatetemplate", "view_certificatetemplate"}
    assert codenames("Administrator") == edit | {"delete_certificatetemplate"}
    assert codenames("Senior instructor") == edit
    assert codenames("Instructor") == {"view_certificatetemplate"}
    assert codenames("Regional official") == codenames("Trainee") == set()


def test_the_preview_of_a_new_template_waits_for_its_programme(client, admin, program):
    """Wagtail's «preview unavailable» until a programme is chosen, never an error page."""
    client.force_login(admin)
    data = {**form_data(program), "program": ""}

    answer = client.post(reverse(PREVIEW_ADD), data).json()
    response = client.get(reverse(PREVIEW_ADD))

    assert answer["is_valid"] is False
    assert response.status_code == 200
    assert "Иванова" not in response.content.decode()
