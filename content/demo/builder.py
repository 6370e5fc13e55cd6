"""Build (or rebuild) the demo school: regions' people, the programme, cohorts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.models import Page, Site
from wagtail.rich_text import RichText

from accounts.models import Region
from content.models import HomePage
from courses.curriculum import curriculum_breakdown
from courses.models import (
    ActivityCompletion,
    ActivityKind,
    ActivityPage,
    CaseStudyAttachment,
    CaseStudyPage,
    CaseStudyTask,
    Cohort,
    Enrolment,
    LessonPage,
    ModulePage,
    ProgramIndexPage,
    ProgramPage,
)
from courses.services import activity_complete, enrolment_withdraw

from . import curriculum, people

HOME_SLUG = "home"


@dataclass
class DemoReport:
    created_pages: int = 0
    created_users: int = 0
    logins: list[tuple[str, str, str]] = field(default_factory=list)


def _paragraphs(texts: list[str]) -> list[tuple[str, RichText]]:
    return [("paragraph", RichText("".join(f"<p>{text}</p>" for text in texts)))]


def _bullets(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def _publish(page: Page) -> None:
    page.save_revision().publish()


def reset_demo() -> None:
    """Remove everything `build_demo` creates, so that it can build it afresh."""
    usernames = _demo_usernames()
    Enrolment.objects.filter(trainee__username__in=usernames).delete()
    Cohort.objects.filter(program__slug=curriculum.PROGRAM["slug"]).delete()
    for home in HomePage.objects.all():
        home.delete()
    get_user_model().objects.filter(username__in=usernames).delete()
    get_document_model().objects.filter(title__startswith="Демо: ").delete()


def _demo_usernames() -> list[str]:
    names = [row[0] for row in people.STAFF]
    for *_head, prefix, trainees in people.COHORTS:
        names += [f"{prefix}{number:02d}" for number in range(1, len(trainees) + 1)]
    return names


@transaction.atomic
def build_demo(*, reset: bool = False) -> DemoReport:
    if reset:
        reset_demo()
    report = DemoReport()
    users = _build_people(report)
    home = _build_home(report)
    program = _build_program(home, report)
    _build_cohorts(program, users)
    _build_progress(program)
    return report


def _build_people(report: DemoReport) -> dict:
    User = get_user_model()
    regions = {region.code: region for region in Region.objects.all()}
    groups = {group.name: group for group in Group.objects.all()}
    password = make_password(people.DEMO_PASSWORD)  # hashed once for every demo account
    users = {}

    def ensure(username, last, first, patronymic, code, role, superuser=False):
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "last_name": last,
                "first_name": first,
                "patronymic": patronymic,
                "region": regions[code],
                "email": f"{username}@school.example",
                "password": password,
                "is_superuser": superuser,
                "is_staff": superuser,
            },
        )
        if created:
            report.created_users += 1
            user.groups.add(groups[role])
        users[username] = user
        return user

    for username, last, first, patronymic, code, role, superuser in people.STAFF:
        ensure(username, last, first, patronymic, code, role, superuser)
        report.logins.append((role, username, people.DEMO_PASSWORD))
    for code, _name, *_dates, _capacity, _instructors, prefix, trainees in people.COHORTS:
        for number, (last, first, patronymic) in enumerate(trainees, start=1):
            ensure(f"{prefix}{number:02d}", last, first, patronymic, code, "Trainee")
    report.logins.insert(0, ("Trainee", "trainee01", people.DEMO_PASSWORD))
    return users


def _build_home(report: DemoReport) -> HomePage:
    home = HomePage.objects.first()
    if home is None:
        # Wagtail's starter "Welcome" page (a plain Page) makes way for the school's home page.
        for starter in Page.objects.filter(depth=2, content_type__model="page"):
            if not starter.get_children().exists():
                starter.delete()
        root = Page.get_first_root_node()
        home = HomePage(
            title="Школа социальных координаторов",
            slug=HOME_SLUG,
            lead=(
                "<p>Обучаем людей, которые помогают участникам специальной военной операции и их "
                "семьям получить поддержку, льготы, работу и реабилитацию. Три четверти учебного "
                "времени — практика на реальных ситуациях семей.</p>"
            ),
            body=_paragraphs(
                [
                    "Школа социальных координаторов открылась в Тамбовской области: первая группа "
                    "из 18 человек учится по практико-ориентированной программе. Проект занял "
                    "второе место в акселераторе социальных решений АСИ и рекомендован к "
                    "тиражированию в других регионах.",
                    "Спикеры школы — преподаватели, руководители учреждений социальной сферы, "
                    "специалисты Тамбовского отделения Банка России и регионального центра "
                    "«Мой бизнес», коллеги из других регионов.",
                ]
            ),
        )
        root.add_child(instance=home)
        _publish(home)
        report.created_pages += 1
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save()
    return home


def _build_program(home: HomePage, report: DemoReport) -> ProgramPage:
    existing = ProgramPage.objects.filter(slug=curriculum.PROGRAM["slug"]).first()
    if existing is not None:
        return existing

    index = ProgramIndexPage(
        title="Учебные программы",
        slug="programmy",
        intro="<p>Программы школы социальных координаторов.</p>",
    )
    home.add_child(instance=index)
    _publish(index)

    data = curriculum.PROGRAM
    # A draft until its modules and activities are published: the practice rule binds from then.
    program = ProgramPage(
        title=data["title"],
        slug=data["slug"],
        summary=data["summary"],
        description=_paragraphs(data["description"]),
        practice_target=75,
        live=False,
    )
    index.add_child(instance=program)
    report.created_pages += 2

    questionnaire = _questionnaire_document()
    for module_data in curriculum.MODULES:
        module = ModulePage(
            title=module_data["title"],
            slug=module_data["slug"],
            summary=module_data["summary"],
            objectives=_bullets(module_data["objectives"]),
        )
        program.add_child(instance=module)
        _publish(module)
        report.created_pages += 1
        for activity in module_data["activities"]:
            page = _activity_page(activity, questionnaire)
            module.add_child(instance=page)
            _publish(page)
            report.created_pages += 1
    _publish(program)
    return program


def _activity_page(data: dict, questionnaire) -> Page:
    if data["type"] == "lesson":
        return LessonPage(
            title=data["title"],
            slug=data["slug"],
            hours=Decimal(data["hours"]),
            summary=data["summary"],
            body=_paragraphs(data["paragraphs"]),
        )
    scenario = _paragraphs(data["scenario"])
    if data["quote"]:
        text, attribution = data["quote"]
        scenario.append(("quote", {"text": text, "attribution": attribution}))
    page = CaseStudyPage(
        title=data["title"],
        slug=data["slug"],
        hours=Decimal(data["hours"]),
        summary=data["summary"],
        scenario=scenario,
        profile_summary=data["profile"],
        family=[
            ("person", {"role": role, "name": name, "age": age, "situation": situation})
            for role, name, age, situation in data["family"]
        ],
        discussion_guide=_bullets(data["guide"]),
    )
    page.tasks = [
        CaseStudyTask(title=title, instructions=f"<p>{text}</p>") for title, text in data["tasks"]
    ]
    if data["slug"] == "pervaya-vstrecha":
        page.attachments = [
            CaseStudyAttachment(document=questionnaire, caption="Анкета первичной встречи")
        ]
    return page


def _questionnaire_document():
    """A real PDF handed out with the first case: the questionnaire of a first meeting."""
    from weasyprint import HTML

    Document = get_document_model()
    title = "Демо: анкета первичной встречи"
    document = Document.objects.filter(title=title).first()
    if document is not None:
        return document
    questions = [
        "Состав семьи и контакты",
        "Что произошло и что беспокоит больше всего",
        "Какие меры поддержки уже получены",
        "Какие документы есть на руках",
        "Согласие на обработку персональных данных",
        "Следующий шаг и дата следующего контакта",
    ]
    html = (
        "<html lang='ru'><body style='font-family: DejaVu Sans, sans-serif'>"
        "<h1>Анкета первичной встречи</h1><ol>"
        + "".join(f"<li>{question}</li>" for question in questions)
        + "</ol></body></html>"
    )
    pdf = HTML(string=html).write_pdf()
    document = Document(title=title)
    document.file.save("anketa-pervichnoi-vstrechi.pdf", ContentFile(pdf), save=False)
    document.save()
    return document


def _build_cohorts(program: ProgramPage, users: dict) -> None:
    regions = {region.code: region for region in Region.objects.all()}
    for code, name, starts, ends, capacity, instructors, prefix, trainees in people.COHORTS:
        cohort, _created = Cohort.objects.get_or_create(
            program=program,
            region=regions[code],
            name=name,
            defaults={
                "starts_on": dt.date.fromisoformat(starts),
                "ends_on": dt.date.fromisoformat(ends),
                "capacity": capacity,
            },
        )
        cohort.instructors.set([users[username] for username in instructors])
        for number in range(1, len(trainees) + 1):
            Enrolment.objects.get_or_create(
                trainee=users[f"{prefix}{number:02d}"],
                cohort=cohort,
                defaults={"program": program, "enrolled_on": cohort.starts_on},
            )


def _build_progress(program: ProgramPage) -> None:
    """A realistic spread: some trainees ahead, some behind, one withdrawn."""
    activities = [
        activity
        for module in curriculum_breakdown(program).modules
        for activity in module.activities
    ]
    pages = ActivityPage.objects.in_bulk([activity.id for activity in activities])
    today = timezone.localdate()
    for cohort in Cohort.objects.filter(program=program).select_related("region"):
        shares = people.PROGRESS[cohort.region.code]
        enrolments = cohort.enrolments.select_related("trainee").order_by("trainee__username")
        for enrolment, share in zip(enrolments, shares, strict=False):
            if share is None:
                enrolment_withdraw(enrolment=enrolment, on=cohort.starts_on + dt.timedelta(days=16))
                continue
            done = activities[: round(share * len(activities))]
            span = max((today - cohort.starts_on).days, 1)
            for index, activity in enumerate(done):
                day = cohort.starts_on + dt.timedelta(days=span * (index + 1) // (len(done) + 1))
                activity_complete(
                    enrolment=enrolment,
                    activity=pages[activity.id],
                    source=(
                        ActivityCompletion.Source.SUBMISSION
                        if activity.kind == ActivityKind.PRACTICE
                        else ActivityCompletion.Source.SELF
                    ),
                    at=timezone.make_aware(dt.datetime.combine(day, dt.time(15, 0))),
                )
