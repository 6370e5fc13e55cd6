"""Build (or rebuild) the demo school: regions' people, the programme, cohorts."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.models import Page
from wagtail.rich_text import RichText

from accounts.models import ConsentText, Region
from accounts.services import consent_give
from assessments.answers import field_name
from assessments.casework import CriterionMark, grade_save, submission_save
from assessments.layout import token_of
from assessments.models import (
    Question,
    QuestionBank,
    QuestionOption,
    QuizPage,
    QuizSection,
    RubricCriterion,
)
from assessments.services import attempt_start, attempt_submit
from certificates.models import CertificateTemplate
from content.models import HomePage
from content.services import home_page_install
from courses.curriculum import curriculum_breakdown
from courses.models import (
    ActivityCompletion,
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
from replication.exporting import package_bytes, release_of
from replication.importing import import_package
from replication.models import Adoption, ImportedObject, Release
from schedule.models import Attendance, Session, Speaker
from schedule.services import attendance_mark, feedback_leave, sessions_create

from . import certificates, curriculum, people, quizzes, sessions

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
    certificates.reset(usernames)
    Enrolment.objects.filter(trainee__username__in=usernames).delete()
    # Tambov's programme and Yugra's copy of it (its slug ends with the region's code).
    Cohort.objects.filter(program__slug__startswith=curriculum.PROGRAM["slug"]).delete()
    copied_banks = _copied_banks()
    for home in HomePage.objects.all():
        home.delete()
    Question.objects.filter(bank__in=copied_banks).delete()
    QuestionBank.objects.filter(pk__in=copied_banks).delete()
    _forget_releases()
    get_user_model().objects.filter(username__in=usernames).delete()
    get_document_model().objects.filter(title__startswith="Демо: ").delete()


def _copied_banks() -> list[int]:
    return list(
        ImportedObject.objects.filter(
            content_type=ContentType.objects.get_for_model(QuestionBank)
        ).values_list("object_id", flat=True)
    )


def _forget_releases() -> None:
    """The versions of programmes the demo made, with their package files."""
    for release in Release.objects.filter(origin_page__isnull=True):
        release.package.delete(save=False)
        release.delete()


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
    certificates.build_template(program)  # before Yugra adopts the programme, design and all
    yugra = _build_yugra_copy(program, users["yugra-senior"])
    _build_cohorts({people.TAMBOV: program, people.YUGRA: yugra}, users)
    for studied in (program, yugra):
        _build_progress(studied)
        _build_sessions(studied)
    certificates.build(program)
    return report


def _build_people(report: DemoReport) -> dict:
    User = get_user_model()
    regions = {region.code: region for region in Region.objects.all()}
    groups = {group.name: group for group in Group.objects.all()}
    password = make_password(people.DEMO_PASSWORD)  # hashed once for every demo account
    text = ConsentText.current()
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
                "email_confirmed": True,  # demo people sign in with a password they were given
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
            trainee = ensure(f"{prefix}{number:02d}", last, first, patronymic, code, "Trainee")
            # Every demo trainee but the last of each cohort has agreed to the text in force.
            if number < len(trainees) and text is not None and not trainee.data_consent:
                consent_give(user=trainee, text=text)
    report.logins.insert(0, ("Trainee", "trainee01", people.DEMO_PASSWORD))
    return users


def _build_home(report: DemoReport) -> HomePage:
    def build() -> HomePage:
        return HomePage(
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

    if not HomePage.objects.exists():
        report.created_pages += 1
    # Wagtail's starter page makes way, and the home page becomes the default site's root.
    return home_page_install(build=build)


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
        region=Region.objects.get(code=people.TAMBOV),
        live=False,
    )
    index.add_child(instance=program)
    report.created_pages += 2

    questionnaire = _questionnaire_document()
    banks = _build_banks()
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
        for quiz_data in quizzes.QUIZZES:
            if quiz_data["module"] == module.slug:
                quiz = _quiz_page(quiz_data, banks)
                module.add_child(instance=quiz)
                _publish(quiz)
                report.created_pages += 1
    _publish(program)
    return program


def _publish_tree(program: ProgramPage, user) -> None:
    """Every draft of a programme published, activities first: the practice rule binds from its
    first published activity."""
    for page in program.get_descendants(inclusive=True).order_by("-depth", "path"):
        revision = page.get_latest_revision()
        if revision is not None and (not page.live or page.has_unpublished_changes):
            revision.publish(user=user)


def _build_yugra_copy(tambov: ProgramPage, author) -> ProgramPage:
    """Yugra's programme: Tambov's adopted through a package, adapted (its own title and a module
    of its own), approved; then one improvement published in Tambov that Yugra has not taken."""
    existing = Adoption.objects.filter(origin_page=tambov, region__code=people.YUGRA).first()
    if existing is not None:
        return existing.programme
    yugra = Region.objects.get(code=people.YUGRA)
    adaptation = curriculum.YUGRA_ADAPTATION
    copy = import_package(
        package_bytes(release_of(tambov)), region=yugra, user=author
    ).adoption.programme
    version = copy.get_latest_revision_as_object()
    version.title, version.summary = adaptation["title"], adaptation["summary"]
    version.save_revision(user=author)
    data = adaptation["module"]
    module = ModulePage(
        title=data["title"],
        slug=data["slug"],
        summary=data["summary"],
        objectives=_bullets(data["objectives"]),
        live=False,
    )
    copy.add_child(instance=module)
    module.save_revision(user=author)
    for activity in data["activities"]:
        page = _activity_page(activity, None)
        page.live = False
        module.add_child(instance=page)
        page.save_revision(user=author)
    _publish_tree(copy, author)
    CertificateTemplate.objects.filter(program=copy).update(
        organisation=adaptation["organisation"], city=adaptation["city"]
    )
    # Tambov improves a lesson after the adoption: Yugra sees it among its copy's updates.
    improvement = curriculum.TAMBOV_IMPROVEMENT
    lesson = LessonPage.objects.descendant_of(tambov).get(slug=improvement["slug"])
    lesson.body.append(("paragraph", RichText(f"<p>{improvement['paragraph']}</p>")))
    lesson.save_revision().publish()
    release_of(tambov)
    return ProgramPage.objects.get(pk=copy.pk)


def _build_banks() -> dict[str, QuestionBank]:
    banks = {}
    for title, questions in quizzes.BANKS.items():
        bank, created = QuestionBank.objects.get_or_create(title=title)
        banks[title] = bank
        if not created:
            continue
        for kind, text, data in questions:
            question = Question(bank=bank, kind=kind, text=f"<p>{text}</p>")
            if kind == quizzes.TF:
                question.correct_is_true = data["true"]
            elif kind == quizzes.TXT:
                question.accepted_answers = "\n".join(data["accepted"])
            elif kind == quizzes.NUM:
                question.numeric_answer = Decimal(data["answer"])
            elif kind == quizzes.MATCH:
                question.options = [
                    QuestionOption(text=left, match_text=right, sort_order=index)
                    for index, (left, right) in enumerate(data["pairs"])
                ]
            elif kind == quizzes.ORDER:
                question.options = [
                    QuestionOption(text=item, sort_order=index)
                    for index, item in enumerate(data["items"])
                ]
            else:
                question.options = [
                    QuestionOption(text=option, is_correct=correct, sort_order=index)
                    for index, (option, correct) in enumerate(data["options"])
                ]
            question.save()
    return banks


def _quiz_page(data: dict, banks: dict[str, QuestionBank]) -> QuizPage:
    page = QuizPage(
        title=data["title"],
        slug=data["slug"],
        hours=Decimal(quizzes.QUIZ_HOURS),
        summary="Проверьте себя: вопросы по материалам модуля.",
        time_limit_minutes=data["time_limit_minutes"],
        attempts_allowed=data["attempts_allowed"],
        attempt_policy=data["attempt_policy"],
        review_policy=data["review_policy"],
        pass_mark=data["pass_mark"],
    )
    page.sections = [QuizSection(bank=banks[data["bank"]], count=data["count"])]
    return page


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
    page.rubric_criteria = [
        RubricCriterion(
            title=title,
            description=description,
            sort_order=index,
            levels=[
                ("level", {"title": name, "points": Decimal(points), "descriptor": descriptor})
                for name, points, descriptor in levels
            ],
        )
        for index, (title, description, levels) in enumerate(quizzes.RUBRIC)
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


def _build_cohorts(programs: dict[str, ProgramPage], users: dict) -> None:
    regions = {region.code: region for region in Region.objects.all()}
    for code, name, starts, ends, capacity, instructors, prefix, trainees in people.COHORTS:
        program = programs[code]
        cohort, _created = Cohort.objects.get_or_create(
            program=program,
            region=regions[code],
            name=name,
            defaults={
                "starts_on": timezone.localdate() - dt.timedelta(days=starts),
                "ends_on": timezone.localdate() + dt.timedelta(days=ends),
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
    """A realistic spread: some trainees ahead, some behind, one withdrawn. Lessons are marked
    studied, quizzes really taken and graded, case work really submitted and graded on its rubric
    (a few pieces still wait in the grading queue)."""
    activities = [
        activity
        for module in curriculum_breakdown(program).modules
        for activity in module.activities
    ]
    pages = ActivityPage.objects.in_bulk([activity.id for activity in activities])
    for cohort in Cohort.objects.filter(program=program).select_related("region"):
        shares = people.PROGRESS[cohort.region.code]
        grader = cohort.instructors.order_by("username").first()
        enrolments = cohort.enrolments.select_related("trainee").order_by("trainee__username")
        for enrolment, share in zip(enrolments, shares, strict=False):
            if share is None:
                enrolment_withdraw(
                    enrolment=enrolment,
                    on=cohort.starts_on + dt.timedelta(days=16),
                    reason=people.WITHDRAWAL_REASON,
                )
                continue
            if enrolment.completions.exists():
                continue  # built before: loading the demo again adds nothing
            chance = random.Random(enrolment.trainee.username)
            done = activities[: round(share * len(activities))]
            for index, activity in enumerate(done):
                page = pages[activity.id].specific
                if isinstance(page, QuizPage):
                    _take_quiz(enrolment, page, skill=0.45 + share / 2, chance=chance)
                elif isinstance(page, CaseStudyPage):
                    quality = min(1.0, 0.3 + share * 0.6 + chance.random() * 0.3)
                    waiting = share < 1 and index >= len(done) - 1 and chance.random() < 0.5
                    _do_case(enrolment, page, grader, quality, release=not waiting)
                else:
                    activity_complete(
                        enrolment=enrolment,
                        activity=page,
                        source=ActivityCompletion.Source.SELF,
                        at=timezone.now() - dt.timedelta(days=len(done) - index),
                    )


def _take_quiz(enrolment: Enrolment, quiz: QuizPage, *, skill: float, chance: random.Random):
    attempt = attempt_start(user=enrolment.trainee, quiz=quiz)
    questions = Question.objects.prefetch_related("options").in_bulk(
        [entry["question"] for entry in attempt.layout]
    )
    data = QueryDict(mutable=True)
    for entry in attempt.layout:
        if chance.random() < skill:
            for key, values in _right_answer(questions[entry["question"]], entry).items():
                data.setlist(key, values)
    attempt_submit(attempt=attempt, data=data)


def _right_answer(question: Question, entry: dict) -> dict[str, list[str]]:
    """The correct answer as the attempt's form would send it, choices by their tokens."""
    name = field_name(question.pk)
    options = list(question.options.all())
    rows, pairs = entry.get("options", []), entry.get("pairs", [])
    if question.kind == quizzes.TF:
        return {name: ["true" if question.correct_is_true else "false"]}
    if question.kind == quizzes.TXT:
        return {name: [question.accepted_answers.splitlines()[0]]}
    if question.kind == quizzes.NUM:
        return {name: [str(question.numeric_answer.normalize())]}
    if question.kind == quizzes.MATCH:
        return {
            field_name(question.pk, token_of(rows, option.pk)): [token_of(pairs, option.pk)]
            for option in options
        }
    if question.kind == quizzes.ORDER:
        return {
            field_name(question.pk, token_of(rows, option.pk)): [str(index)]
            for index, option in enumerate(options, 1)
        }
    return {name: [token_of(rows, option.pk) for option in options if option.is_correct]}


def _do_case(enrolment: Enrolment, case: CaseStudyPage, grader, quality: float, *, release: bool):
    tasks = list(case.tasks.all())
    submission = submission_save(
        user=enrolment.trainee,
        case=case,
        answers={
            str(task.pk): f"{task.title}: мой ответ по ситуации семьи, шаги, сроки и ответственные."
            for task in tasks
        },
        files=[],
        remove_files=[],
        submit=True,
    )
    if not release:
        return  # left in the instructors' grading queue
    marks = []
    for criterion in case.rubric_criteria.all():
        levels = list(criterion.levels)
        marks.append(
            CriterionMark(
                criterion_id=criterion.pk,
                level_id=levels[round(quality * (len(levels) - 1))].id,
                comment="",
            )
        )
    grade_save(
        grader=grader,
        submission=submission,
        marks=marks,
        comment="Разбор на занятии: обратите внимание на сроки и ответственных.",
        release=True,
    )


def _build_sessions(program: ProgramPage) -> None:
    """Speakers and sessions; the past ones carry attendance and feedback."""
    speakers = {}
    for key, name, position, organisation, biography in sessions.SPEAKERS:
        speakers[key], _created = Speaker.objects.get_or_create(
            name=name,
            defaults={"position": position, "organisation": organisation, "biography": biography},
        )
    modules = {module.slug: module for module in ModulePage.objects.child_of(program)}
    now = timezone.now()
    for cohort in Cohort.objects.filter(program=program).select_related("region"):
        if cohort.sessions.exists():
            continue
        zone = ZoneInfo(cohort.region.time_zone)
        grader = cohort.instructors.order_by("username").first()
        rows = [row for row in sessions.SESSIONS if row[0] == cohort.region.code]
        for _code, keys, topic, module, days, hour, hours, kind, fmt, place in rows:
            day = timezone.localdate() + dt.timedelta(days=days)
            starts = dt.datetime.combine(day, dt.time(hour, 0), tzinfo=zone)
            [session] = sessions_create(
                session=Session(
                    cohort=cohort,
                    module=modules.get(module),
                    topic=topic,
                    starts_at=starts,
                    ends_at=starts + dt.timedelta(minutes=90 if hours == "2" else 135),
                    format=fmt,
                    room=place if fmt == "in_person" else "",
                    link=place if fmt == "online" else "",
                    hours=Decimal(hours),
                    kind=kind,
                ),
                speakers=[speakers[key] for key in keys],
                materials=[],
            )
            if session.ends_at < now:
                _take_attendance(session, grader)


def _take_attendance(session: Session, grader) -> None:
    for enrolment in session.cohort.enrolments.filter(
        status=Enrolment.Status.ACTIVE
    ).select_related("trainee"):
        chance = random.Random(f"{enrolment.trainee.username}-{session.topic}")
        roll = 0.0 if enrolment.trainee.username in people.COMPLETERS else chance.random()
        if roll < 0.72:
            status = Attendance.Status.PRESENT
        elif roll < 0.82:
            status = Attendance.Status.LATE
        elif roll < 0.9:
            status = Attendance.Status.EXCUSED
        else:
            status = Attendance.Status.ABSENT
        attendance_mark(session=session, enrolment=enrolment, status=status, by=grader)
        if status in (Attendance.Status.PRESENT, Attendance.Status.LATE) and chance.random() < 0.6:
            feedback_leave(
                user=enrolment.trainee,
                session=session,
                rating=chance.choice([3, 4, 4, 5, 5, 5]),
                comment=chance.choice(sessions.COMMENTS),
            )
