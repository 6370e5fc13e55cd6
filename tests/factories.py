"""Small, explicit builders for test data. Tests never rely on the demo school."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from wagtail.models import Page, Site
from wagtail.rich_text import RichText

from accounts.models import Region
from content.models import HomePage
from courses.models import (
    CaseStudyPage,
    CaseStudyTask,
    Cohort,
    Enrolment,
    LessonPage,
    ModulePage,
    ProgramIndexPage,
    ProgramPage,
)

PASSWORD = "correct-horse-battery"
_sequence = itertools.count(1)


def region(code: str = "68") -> Region:
    return Region.objects.get(code=code)


def user(role: str | None = "Trainee", *, region_code: str = "68", **fields):
    number = next(_sequence)
    defaults = {
        "username": f"user{number}",
        "first_name": "Имя",
        "last_name": f"Фамилия{number}",
        "email": f"user{number}@example.org",
        "region": region(region_code),
    }
    defaults.update(fields)
    person = get_user_model().objects.create_user(password=PASSWORD, **defaults)
    if role:
        person.groups.add(Group.objects.get(name=role))
    return person


def site_home() -> HomePage:
    """The school's home page as the default site's root (replacing Wagtail's welcome page)."""
    home = HomePage.objects.first()
    if home is not None:
        return home
    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title="Школа", slug=f"school-{next(_sequence)}"))
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "root_page": home}
    )
    return home


def program_index() -> ProgramIndexPage:
    index = ProgramIndexPage.objects.first()
    if index is None:
        index = site_home().add_child(instance=ProgramIndexPage(title="Программы", slug="programs"))
    return index


def lesson(module: ModulePage, hours: str = "2", *, live: bool = True, **fields) -> LessonPage:
    number = next(_sequence)
    page = LessonPage(
        title=fields.pop("title", f"Лекция {number}"),
        slug=f"lesson-{number}",
        hours=Decimal(hours),
        body=[("paragraph", RichText("<p>Теория.</p>"))],
        live=live,
        **fields,
    )
    return module.add_child(instance=page)


def case_study(module: ModulePage, hours: str = "6", *, live: bool = True, **fields):
    number = next(_sequence)
    page = CaseStudyPage(
        title=fields.pop("title", f"Кейс {number}"),
        slug=f"case-{number}",
        hours=Decimal(hours),
        scenario=[("paragraph", RichText("<p>Семья обратилась за помощью.</p>"))],
        profile_summary="Мать и двое детей.",
        discussion_guide=fields.pop("discussion_guide", "<p>Разбор для преподавателя.</p>"),
        live=live,
        **fields,
    )
    page.tasks = [CaseStudyTask(title="Составьте план", instructions="<p>План помощи.</p>")]
    return module.add_child(instance=page)


def program(
    modules: list[list[tuple[str, str]]] | None = None,
    *,
    practice_target: int = 75,
    live: bool = True,
    title: str = "Программа",
) -> ProgramPage:
    """A programme whose modules hold activities given as (kind, hours) pairs.

    By default: one module, 2 h of theory and 6 h of practice (75 % exactly).
    """
    modules = modules if modules is not None else [[("theory", "2"), ("practice", "6")]]
    number = next(_sequence)
    page = program_index().add_child(
        instance=ProgramPage(
            title=f"{title} {number}",
            slug=f"program-{number}",
            practice_target=practice_target,
            live=live,
        )
    )
    for index, activities in enumerate(modules, start=1):
        module = page.add_child(
            instance=ModulePage(title=f"Модуль {index}", slug=f"module-{number}-{index}")
        )
        for kind, hours in activities:
            if kind == "practice":
                case_study(module, hours)
            else:
                lesson(module, hours)
    return page


def cohort(program_page: ProgramPage, *, region_code: str = "68", **fields) -> Cohort:
    defaults = {
        "name": f"Группа {next(_sequence)}",
        "starts_on": dt.date(2026, 10, 5),
        "ends_on": dt.date(2026, 12, 18),
        "capacity": 20,
    }
    defaults.update(fields)
    return Cohort.objects.create(program=program_page, region=region(region_code), **defaults)


def enrol(trainee, cohort_obj: Cohort, **fields) -> Enrolment:
    return Enrolment.objects.create(
        trainee=trainee,
        cohort=cohort_obj,
        program=cohort_obj.program,
        **{
            # Enrolled by the start, and never later than today (a withdrawal cannot predate it).
            "enrolled_on": min(cohort_obj.starts_on, timezone.localdate()),
            **fields,
        },
    )


def withdraw(enrolment: Enrolment, *, reason: str = "Переезд в другой регион", on=None, by=None):
    """Withdraw through the service, as a coordinator would: today unless told otherwise."""
    from courses.services import enrolment_withdraw

    return enrolment_withdraw(
        enrolment=enrolment, on=on or timezone.localdate(), reason=reason, by=by
    )


def question_bank(title: str | None = None):
    from assessments.models import QuestionBank

    return QuestionBank.objects.create(title=title or f"Банк {next(_sequence)}")


def question(bank, kind: str, *, options=(), points: str = "1", **fields):
    """A question; `options` are (text, is_correct) or, for matching, (text, match_text)."""
    from assessments.models import Question, QuestionOption

    item = Question(bank=bank, kind=kind, text=f"<p>Вопрос {next(_sequence)}</p>", **fields)
    item.points = Decimal(points)
    item.options = [
        QuestionOption(
            text=text,
            is_correct=extra is True,
            match_text=extra if isinstance(extra, str) else "",
            sort_order=index,
        )
        for index, (text, extra) in enumerate(options)
    ]
    item.save()
    return item


def quiz(module: ModulePage, banks, *, live: bool = True, **fields):
    from assessments.models import QuizPage, QuizSection

    number = next(_sequence)
    page = QuizPage(
        title=fields.pop("title", f"Тест {number}"),
        slug=f"quiz-{number}",
        hours=Decimal(fields.pop("hours", "1")),
        live=live,
        **fields,
    )
    page.sections = [QuizSection(bank=bank, count=None) for bank in banks]
    return module.add_child(instance=page)


def rubric(case, criteria: list[tuple[str, list[tuple[str, str]]]]):
    """Rubric criteria on a case study: (title, [(level title, points), …])."""
    from assessments.models import RubricCriterion

    made = []
    for index, (title, levels) in enumerate(criteria):
        made.append(
            RubricCriterion.objects.create(
                page=case,
                title=title,
                sort_order=index,
                levels=[
                    ("level", {"title": name, "points": Decimal(points), "descriptor": ""})
                    for name, points in levels
                ],
            )
        )
    return made


def certificate_template(program_page: ProgramPage, **fields):
    from certificates.models import CertificateSignatory, CertificateTemplate

    template = CertificateTemplate.objects.create(
        program=program_page,
        **{
            "organisation": "ТОГОАУ ДПО «Институт повышения квалификации»",
            "licence": "Лицензия № Л035-01234-68/00123456 от 01.02.2021",
            "city": "Тамбов",
            **fields,
        },
    )
    CertificateSignatory.objects.create(template=template, name="И. И. Петрова", position="Ректор")
    return template


def certificate(enrolment: Enrolment, **fields):
    """A certificate row as `certificates.services.issue_certificate` would write it, without
    asking whether the trainee has completed (tests of other rules need one quickly)."""
    from certificates.codes import new_code
    from certificates.models import Certificate, DocumentKind

    cohort_obj = enrolment.cohort
    year = fields.pop("year", 2026)
    sequence = fields.pop("sequence", next(_sequence))
    trainee = enrolment.trainee
    return Certificate.objects.create(
        enrolment=enrolment,
        trainee=trainee,
        cohort=cohort_obj,
        program=enrolment.program,
        region=cohort_obj.region,
        **{
            "kind": DocumentKind.QUALIFICATION,
            "serial": f"{cohort_obj.region.code}-{year}-{sequence:05d}",
            "year": year,
            "sequence": sequence,
            "registration_number": f"{cohort_obj.region.code}/{sequence}",
            "code": new_code(),
            "issued_on": dt.date(year, 11, 20),
            "last_name": trainee.last_name,
            "first_name": trainee.first_name,
            "patronymic": trainee.patronymic,
            "program_title": enrolment.program.title,
            "total_hours": Decimal("18"),
            "practice_hours": Decimal("14"),
            "studied_from": cohort_obj.starts_on,
            "studied_to": cohort_obj.ends_on,
            "region_name": cohort_obj.region.name,
            "organisation": "ТОГОАУ ДПО «Институт повышения квалификации»",
            "printed": {"signatories": [{"name": "И. И. Петрова", "position": "Ректор"}]},
            **fields,
        },
    )
