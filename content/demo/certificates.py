"""The demo's certificates: the Tambov programme's template, and the удостоверения of Группа 1.

Issued through the same services as in production, to the trainees the completion service says
have completed. One is revoked, and one was issued with a misspelt surname and then reissued
after the correction, so that verification shows every state.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q

from accounts.models import Region
from certificates.models import (
    Certificate,
    CertificateBatch,
    CertificateSignatory,
    CertificateTemplate,
    SerialCounter,
)
from certificates.services import issue_with_pdf, reissue_certificate, revoke_certificate
from courses.models import Cohort, ProgramPage
from records.selectors import cohort_records

from . import people

TEMPLATE = {
    "organisation": (
        "Автономная некоммерческая организация дополнительного профессионального образования "
        "«Научно-практический образовательный центр»"
    ),
    "licence": "Лицензия на осуществление образовательной деятельности № Л035-01220-68/00645213 "
    "от 14.03.2023, выдана Министерством образования и науки Тамбовской области",
    "city": "Тамбов",
    "heading": "",
    "body": (
        "прошёл(ла) обучение в школе социальных координаторов по дополнительной "
        "профессиональной программе повышения квалификации «{program}» в объёме "
        "{total_hours} академических часов, из них {practice_hours} — практические занятия "
        "на разборе случаев из жизни семей участников СВО."
    ),
    "footer": "Удостоверение выдано по итогам обучения; подлинность можно проверить по QR-коду.",
}
SIGNATORIES = [
    ("Е. В. Смирнова", "Руководитель программы"),
    ("Н. А. Гордеева", "Директор центра"),
]
# Who is revoked, and who was issued a misspelt surname and then reissued.
REVOKED = (
    "trainee05",
    "Итоговая работа признана несамостоятельной (решение аттестационной комиссии).",
    "Решение аттестационной комиссии",
)
MISSPELT = ("trainee03", "Папова")
CORRECTION = "Исправлена ошибка в фамилии по заявлению слушателя."


def reset(usernames: list[str]) -> None:
    """Remove the demo people's certificates (the rest of the demo is removed after them)."""
    mine = Q(trainee__username__in=usernames)
    # Reissues first: a certificate another replaces is protected until its successor goes.
    Certificate.objects.filter(mine, replaces__isnull=False).delete()
    Certificate.objects.filter(mine).delete()
    CertificateBatch.objects.filter(cohort__enrolments__trainee__username__in=usernames).delete()
    # Numbers start again from 1 in regions that no longer hold any certificate.
    SerialCounter.objects.exclude(region__in=Certificate.objects.values("region")).delete()


def build_template(program: ProgramPage) -> None:
    template, created = CertificateTemplate.objects.get_or_create(
        program=program, defaults=TEMPLATE
    )
    if created:
        for order, (name, position) in enumerate(SIGNATORIES):
            CertificateSignatory.objects.create(
                template=template, name=name, position=position, sort_order=order
            )


def build(program: ProgramPage) -> None:
    build_template(program)
    cohort = Cohort.objects.get(program=program, region=Region.objects.get(code=people.TAMBOV))
    if Certificate.objects.filter(cohort=cohort).exists():
        return  # built before
    issuer = cohort.instructors.order_by("username").first()
    official = get_user_model().objects.get(username="official")
    issued = {}
    for record in cohort_records(cohort=cohort):
        if not record.complete:
            continue
        trainee = record.enrolment.trainee
        if trainee.username == MISSPELT[0]:
            correct, trainee.last_name = trainee.last_name, MISSPELT[1]
            trainee.save(update_fields=["last_name"])
            issued[trainee.username] = issue_with_pdf(enrolment=record.enrolment, issued_by=issuer)
            trainee.last_name = correct
            trainee.save(update_fields=["last_name"])
            reissue_certificate(
                certificate=issued[trainee.username], by=official, reason=CORRECTION
            )
        else:
            issued[trainee.username] = issue_with_pdf(enrolment=record.enrolment, issued_by=issuer)
    username, reason, public_reason = REVOKED
    if username in issued:
        revoke_certificate(
            certificate=issued[username], by=official, reason=reason, public_reason=public_reason
        )
