"""The first version of the consent text, and a consent to it for everyone who had consented."""

import datetime as dt

from django.db import migrations

PURPOSE = (
    "Обучение в школе социальных координаторов, учёт его результатов, выдача документа об "
    "обучении и передача сведений о нём в федеральный реестр (ФИС ФРДО)."
)
BODY = """Я даю согласие школе социальных координаторов моего региона на обработку моих \
персональных данных: фамилии, имени, отчества, региона, адреса электронной почты, телефона, \
места работы и должности, результатов обучения (выполненных заданий, оценок, посещаемости), \
а также — если я их укажу — СНИЛС и даты рождения.

Цель обработки: обучение по программе школы, учёт его результатов, выдача удостоверения или \
сертификата и передача сведений о выданном документе в федеральную информационную систему \
«Федеральный реестр сведений о документах об образовании и (или) о квалификации» (ФИС ФРДО).

Действия с данными: сбор, запись, хранение, уточнение, использование, передача в ФИС ФРДО, \
обезличивание и уничтожение — с использованием средств автоматизации.

Согласие действует до окончания обучения и срока хранения документов об обучении. Я могу \
отозвать его в профиле в любой момент; СНИЛС и дата рождения при этом удаляются сразу. \
По моему заявлению школа выдаёт мне всё, что обо мне хранит, и удаляет мои персональные данные \
(152-ФЗ «О персональных данных», ст. 9, 14, 21)."""


def forward(apps, schema_editor):
    ConsentText = apps.get_model("accounts", "ConsentText")
    Consent = apps.get_model("accounts", "Consent")
    User = apps.get_model("accounts", "User")
    text = ConsentText.objects.create(
        version="1.0", purpose=PURPOSE, body=BODY, in_force_from=dt.date(2026, 1, 1)
    )
    Consent.objects.bulk_create(
        Consent(user_id=pk, text=text, given_at=given_at)
        for pk, given_at in User.objects.filter(
            data_consent=True, data_consent_at__isnull=False
        ).values_list("pk", "data_consent_at")
    )


def backward(apps, schema_editor):
    apps.get_model("accounts", "Consent").objects.all().delete()
    apps.get_model("accounts", "ConsentText").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_consents")]

    operations = [migrations.RunPython(forward, backward)]
