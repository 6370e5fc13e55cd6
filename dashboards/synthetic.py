"""A synthetic national data set: one programme run in many regions, at the scale of the country.

`build_synthetic` makes a programme (built once, through Wagtail like any other), then region by
region its cohorts, instructors and trainees with a realistic spread of progress: lessons
studied, quizzes taken and graded, case work submitted and graded on its rubric, sessions with
attendance, some withdrawals, and the certificates of those who completed. It writes with
`bulk_create` in batches and computes every figure in memory first, with the same functions the
trainee's record uses (the quiz policy, the gradebook's weighting, the completion rules), so that
a certificate goes to exactly the trainees `records.selectors.cohort_records` says have completed.

Everything synthetic is marked: its people's usernames start with `syn-`, its programme's slug
is `syn-programma`, its question banks' titles start with «Синтетика». `reset_synthetic` removes
exactly that, and leaves the demo's and real data alone. A seed makes the set reproducible.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, reset_queries, transaction
from django.db.models import Max, Q
from django.utils import timezone
from wagtail.models import Page, Site
from wagtail.rich_text import RichText

from accounts.models import Region
from accounts.roles import Role
from assessments.gradebook import category_average, exact_final_grade
from assessments.grading import fraction
from assessments.models import (
    AttemptPolicy,
    CaseGrade,
    CaseSubmission,
    Question,
    QuestionBank,
    QuestionKind,
    QuestionOption,
    QuizAttempt,
    QuizPage,
    QuizSection,
    RubricCriterion,
    SubmissionFile,
)
from assessments.selectors import counted_percent
from certificates.codes import ALPHABET, LENGTH
from certificates.models import (
    Certificate,
    CertificateBatch,
    CertificateSignatory,
    CertificateTemplate,
    SerialCounter,
)
from certificates.services import REGISTRATION, document_kind, expiry_date
from courses.curriculum import curriculum_breakdown, percent_of
from courses.models import (
    ActivityCompletion,
    CaseStudyPage,
    CaseStudyTask,
    Cohort,
    Enrolment,
    EnrolmentEvent,
    LessonPage,
    ModulePage,
    ProgramIndexPage,
    ProgramPage,
)
from records.completion import attendance_reaches, grade_reaches
from schedule.models import Attendance, Session
from schedule.selectors import AttendanceRate
from schedule.services import ATTENDED

USERNAME_PREFIX = "syn-"
PROGRAM_SLUG = "syn-programma"
BANK_PREFIX = "Синтетика: "
EMAIL_DOMAIN = "synthetic.example"
# Every synthetic person signs in with this password (hashed once for all of them): the set is
# for development and benchmark machines, where officials and trainees are signed in as.
PASSWORD = "synthetic-2026"
BATCH = 5000
QUIZ_POOL = 24  # graded answer sheets per quiz, drawn on for every trainee's attempts
SESSIONS_PER_COHORT = 8
WITHDRAWAL_REASONS = [
    "Переезд в другой регион",
    "Смена места работы",
    "По семейным обстоятельствам",
    "По состоянию здоровья",
]

Progress = Callable[[str, int, int], None]


class SyntheticSetExists(Exception):
    """A synthetic set is in the database already: building another would mix the two."""


@dataclass
class SyntheticReport:
    regions: int = 0
    cohorts: int = 0
    trainees: int = 0
    withdrawn: int = 0
    completions: int = 0
    attempts: int = 0
    submissions: int = 0
    grades: int = 0
    sessions: int = 0
    attendance: int = 0
    certificates: int = 0
    cohorts_by_state: dict[str, int] = field(default_factory=dict)


def synthetic_users():
    return get_user_model().objects.filter(username__startswith=USERNAME_PREFIX)


def synthetic_cohorts():
    return Cohort.objects.filter(program__slug=PROGRAM_SLUG)


def synthetic_exists() -> bool:
    return (
        synthetic_users().exists() or Page.objects.filter(slug=PROGRAM_SLUG).exists()
    ) or QuestionBank.objects.filter(title__startswith=BANK_PREFIX).exists()


def _no_progress(step: str, done: int, total: int) -> None:
    pass


def figures_paused():
    """The dashboards' figures left alone while thousands of rows go in or out (they are rebuilt
    once at the end); a no-op where the dashboards keep no figures."""
    try:
        from dashboards.services import figures_paused as paused
    except ImportError:
        return contextlib.nullcontext()
    return paused()


# The tables a set fills: hundreds of thousands of rows each.
BULK_MODELS = [
    get_user_model(),
    Enrolment,
    EnrolmentEvent,
    ActivityCompletion,
    QuizAttempt,
    CaseSubmission,
    CaseGrade,
    Session,
    Attendance,
    Certificate,
    Cohort,
]


def analyze() -> None:
    """Refresh PostgreSQL's statistics of the tables just filled or emptied.

    Autovacuum gets to them only later; until then the planner takes a table of 180,000 grades
    for one of a million (the rows of a removed set still counted) and scans it whole where an
    index finds a cohort's few dozen rows: the dashboards' rebuild that follows ran seven times
    slower on a fresh set before this.
    """
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in BULK_MODELS)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


# Removing the set ----------------------------------------------------------------------------


def _raw_delete(queryset) -> int:
    """Delete rows with one DELETE, without loading them: hundreds of thousands of rows whose
    dependants are deleted just before (children first), so no cascade is left to collect."""
    return queryset._raw_delete(queryset.db)


def reset_synthetic(*, progress: Progress = _no_progress) -> int:
    """Remove the synthetic set (and nothing else); returns the number of trainees removed.

    Children go first, each in one statement: certificates, grades, submissions, attempts,
    attendance, completions, sessions, enrolments, cohorts, then the programme's pages, its
    question banks and the people. The counters of serial numbers then go back to the last number
    still held in their region and year, so that the next certificate follows without a gap.
    """
    with figures_paused(), transaction.atomic():
        removed = _reset(progress)
    analyze()
    return removed


def _reset(progress: Progress) -> int:
    users = synthetic_users()
    program_ids = list(ProgramPage.objects.filter(slug=PROGRAM_SLUG).values_list("pk", flat=True))
    cohorts = Cohort.objects.filter(Q(program_id__in=program_ids))
    enrolments = Enrolment.objects.filter(Q(cohort__in=cohorts) | Q(trainee__in=users))
    trainees = users.filter(enrolments__in=enrolments).distinct().count()
    regions = set(
        Certificate.objects.filter(enrolment__in=enrolments).values_list("region_id", flat=True)
    )
    # PDFs made since (on first download) go with their rows.
    storage = Certificate._meta.get_field("pdf").storage
    made = Certificate.objects.filter(enrolment__in=enrolments).exclude(pdf="")
    for name in made.values_list("pdf", flat=True):
        storage.delete(name)
    # And files someone uploaded since, signed in as a synthetic trainee.
    uploaded = SubmissionFile.objects.filter(submission__enrolment__in=enrolments)
    for upload in uploaded:
        upload.file.delete(save=False)
    steps = [
        (
            "certificates",
            Certificate.objects.filter(enrolment__in=enrolments, replaces__isnull=False),
        ),
        ("certificates", Certificate.objects.filter(enrolment__in=enrolments)),
        ("batches", CertificateBatch.objects.filter(cohort__in=cohorts)),
        ("grades", CaseGrade.objects.filter(submission__enrolment__in=enrolments)),
        ("files", uploaded),
        ("submissions", CaseSubmission.objects.filter(enrolment__in=enrolments)),
        ("attempts", QuizAttempt.objects.filter(enrolment__in=enrolments)),
        ("attendance", Attendance.objects.filter(enrolment__in=enrolments)),
        ("completions", ActivityCompletion.objects.filter(enrolment__in=enrolments)),
        ("events", EnrolmentEvent.objects.filter(enrolment__in=enrolments)),
    ]
    for index, (name, queryset) in enumerate(steps):
        progress(f"reset: {name}", index, len(steps) + 3)
        _raw_delete(queryset)
    progress("reset: sessions and cohorts", len(steps), len(steps) + 3)
    Session.objects.filter(cohort__in=cohorts).delete()
    enrolments.delete()
    cohorts.delete()
    progress("reset: programme and people", len(steps) + 1, len(steps) + 3)
    for program in ProgramPage.objects.filter(pk__in=program_ids):
        program.delete()
    banks = QuestionBank.objects.filter(title__startswith=BANK_PREFIX)
    Question.objects.filter(bank__in=banks).delete()
    banks.delete()
    User = get_user_model()
    _raw_delete(User.groups.through.objects.filter(user__in=users))
    _raw_delete(Cohort.instructors.through.objects.filter(user__in=users))
    users.delete()
    _rewind_counters(regions)
    progress("reset: done", len(steps) + 3, len(steps) + 3)
    return trainees


def _rewind_counters(region_ids: set[int]) -> None:
    """Each counter of these regions back to the highest number a remaining certificate holds."""
    for counter in SerialCounter.objects.select_for_update().filter(region_id__in=region_ids):
        held = Certificate.objects.filter(region_id=counter.region_id)
        if counter.year == REGISTRATION:
            numbers = [
                int(number.rsplit("/", 1)[-1])
                for number in held.values_list("registration_number", flat=True)
            ]
            last = max(numbers, default=0)
        else:
            last = held.filter(year=counter.year).aggregate(last=Max("sequence"))["last"] or 0
        if last:
            counter.last = last
            counter.save(update_fields=["last"])
        else:
            counter.delete()


# The programme -------------------------------------------------------------------------------

# (module title, slug, [(type, title, hours)]), in the order trainees take them. 6 lessons and
# 3 quizzes of 2 hours (18 h of theory) and 13 case studies (54 h of practice): 72 h, 75 %.
CURRICULUM = [
    (
        "Социальный координатор: роль и границы",
        "rol-koordinatora",
        [
            ("lesson", "Кто такой социальный координатор", "2"),
            ("lesson", "Этика и персональные данные", "2"),
            ("case", "Первая встреча с семьёй", "4"),
            ("case", "Запрос, который не по адресу", "4"),
            ("case", "Семья, которая не просит помощи", "4"),
            ("quiz", "Проверка: роль координатора", "2"),
        ],
    ),
    (
        "Меры поддержки: восемь направлений",
        "mery-podderzhki",
        [
            ("lesson", "Карта мер поддержки семьи участника СВО", "2"),
            ("lesson", "Социальный паспорт семьи", "2"),
            ("case", "Выплаты после ранения", "4"),
            ("case", "Детский сад и школа вне очереди", "4"),
            ("case", "Жена бойца ищет работу", "4"),
            ("case", "Пожилые родители в другом районе", "5"),
            ("quiz", "Проверка: меры поддержки", "2"),
        ],
    ),
    (
        "Межведомственное взаимодействие",
        "mezhvedomstvennoe",
        [
            ("lesson", "Принцип одного окна", "2"),
            ("case", "Круг поддержки: кто за что отвечает", "4"),
            ("case", "Фонд «Защитники Отечества» и соцзащита", "4"),
            ("case", "Документы потеряны: восстановление", "5"),
            ("quiz", "Проверка: взаимодействие ведомств", "2"),
        ],
    ),
    (
        "Занятость, реабилитация, адаптация",
        "zanyatost-i-adaptaciya",
        [
            ("lesson", "Возвращение к мирной жизни", "2"),
            ("case", "Переобучение и своё дело", "4"),
            ("case", "Реабилитация после протезирования", "4"),
            ("case", "Подросток после потери отца", "4"),
        ],
    ),
]
RUBRIC = [
    ("Понимание ситуации семьи", ["Не раскрыто", "Частично", "В основном", "Полностью"]),
    ("Меры поддержки и их основания", ["Не названы", "Частично", "В основном", "Полностью"]),
    ("План действий: шаги, сроки, ответственные", ["Нет", "Частично", "В основном", "Полностью"]),
]
QUESTIONS = [
    (QuestionKind.SINGLE, "Кто первым связывается с семьёй после обращения?"),
    (QuestionKind.SINGLE, "Что координатор делает, если вопрос не в его компетенции?"),
    (QuestionKind.SINGLE, "Какой документ собирает сведения о семье в одном месте?"),
    (QuestionKind.MULTIPLE, "Какие сведения относятся к персональным данным?"),
    (QuestionKind.MULTIPLE, "Кого координатор привлекает к кругу поддержки?"),
    (QuestionKind.TRUE_FALSE, "Согласие на обработку данных можно получить устно."),
    (QuestionKind.TRUE_FALSE, "Координатор сопровождает семью до решения её вопроса."),
    (QuestionKind.NUMERIC, "Сколько направлений жизни семьи охватывает перечень мер поддержки?"),
]
TEMPLATE = {
    "organisation": "Научно-практический образовательный центр (синтетические данные)",
    "licence": "Лицензия № Л035-00000-00/00000000 (синтетические данные)",
    "city": "",
    "heading": "",
    "body": (
        "прошёл(ла) обучение в школе социальных координаторов по программе «{program}» в объёме "
        "{total_hours} академических часов, из них {practice_hours} — практические занятия."
    ),
    "footer": "Подлинность можно проверить по QR-коду.",
}
SIGNATORIES = [("А. А. Иванова", "Руководитель программы"), ("П. С. Громов", "Директор центра")]


def _paragraph(text: str) -> list[tuple[str, RichText]]:
    return [("paragraph", RichText(f"<p>{text}</p>"))]


def _publish(page: Page) -> None:
    page.save_revision().publish()


def _program_index() -> ProgramIndexPage:
    """The site's programme index; with none (a bare database), a new one under the site's root
    (the school's home page once `install_home` has run, as on a real site)."""
    index = ProgramIndexPage.objects.first()
    if index is not None:
        return index
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    parent = site.root_page if site else Page.get_first_root_node()
    index = ProgramIndexPage(title="Учебные программы", slug="programmy")
    parent.add_child(instance=index)
    _publish(index)
    return index


def _question_bank(title: str) -> QuestionBank:
    bank = QuestionBank.objects.create(title=f"{BANK_PREFIX}{title}")
    for kind, text in QUESTIONS:
        question = Question(bank=bank, kind=kind, text=f"<p>{text}</p>")
        if kind == QuestionKind.TRUE_FALSE:
            question.correct_is_true = "устно" not in text
        elif kind == QuestionKind.NUMERIC:
            question.numeric_answer = Decimal(8)
        else:
            correct = {0} if kind == QuestionKind.SINGLE else {0, 2}
            question.options = [
                QuestionOption(text=f"Вариант {number + 1}", is_correct=number in correct)
                for number in range(4)
            ]
        question.save()
    return bank


def build_program() -> ProgramPage:
    """The synthetic programme, its pages published once, and its certificate template."""
    program = ProgramPage(
        title="Школа социальных координаторов (синтетические данные)",
        slug=PROGRAM_SLUG,
        summary="Программа повышения квалификации, 72 академических часа, три четверти — практика.",
        practice_target=75,
        live=False,
    )
    _program_index().add_child(instance=program)
    for module_title, module_slug, activities in CURRICULUM:
        module = ModulePage(title=module_title, slug=module_slug, summary=module_title)
        program.add_child(instance=module)
        _publish(module)
        for number, (kind, title, hours) in enumerate(activities, start=1):
            slug = f"{module_slug}-{number}"
            if kind == "lesson":
                page = LessonPage(
                    title=title, slug=slug, hours=Decimal(hours), body=_paragraph(title)
                )
            elif kind == "case":
                page = CaseStudyPage(
                    title=title,
                    slug=slug,
                    hours=Decimal(hours),
                    scenario=_paragraph(f"Ситуация семьи: {title.lower()}."),
                    discussion_guide="<p>Обратите внимание на сроки и ответственных.</p>",
                )
                page.tasks = [
                    CaseStudyTask(title="Что происходит в семье", sort_order=0),
                    CaseStudyTask(title="План помощи", sort_order=1),
                ]
                page.rubric_criteria = [
                    RubricCriterion(
                        title=criterion,
                        sort_order=order,
                        levels=[
                            ("level", {"title": level, "points": Decimal(points)})
                            for points, level in enumerate(levels)
                        ],
                    )
                    for order, (criterion, levels) in enumerate(RUBRIC)
                ]
            else:
                page = QuizPage(
                    title=title,
                    slug=slug,
                    hours=Decimal(hours),
                    time_limit_minutes=30,
                    attempts_allowed=2,
                    attempt_policy=AttemptPolicy.BEST,
                    pass_mark=60,
                )
                page.sections = [QuizSection(bank=_question_bank(title), count=None)]
            module.add_child(instance=page)
            _publish(page)
    _publish(program)
    template = CertificateTemplate.objects.create(program=program, **TEMPLATE)
    for order, (name, position) in enumerate(SIGNATORIES):
        CertificateSignatory.objects.create(
            template=template, name=name, position=position, sort_order=order
        )
    return program


# Names ---------------------------------------------------------------------------------------

MALE = (
    ["Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов",
     "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров"],
    ["Александр", "Сергей", "Дмитрий", "Андрей", "Алексей", "Максим", "Евгений", "Иван",
     "Михаил", "Николай", "Олег", "Павел"],
    ["Александрович", "Сергеевич", "Дмитриевич", "Андреевич", "Иванович", "Михайлович",
     "Николаевич", "Петрович", "Викторович", "Юрьевич"],
)  # fmt: skip
FEMALE = (
    ["Иванова", "Смирнова", "Кузнецова", "Попова", "Васильева", "Петрова", "Соколова",
     "Михайлова", "Новикова", "Фёдорова", "Морозова", "Волкова", "Алексеева", "Лебедева",
     "Семёнова", "Егорова"],
    ["Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Светлана", "Анна", "Мария", "Юлия",
     "Екатерина", "Марина", "Людмила"],
    ["Александровна", "Сергеевна", "Дмитриевна", "Андреевна", "Ивановна", "Михайловна",
     "Николаевна", "Петровна", "Викторовна", "Юрьевна"],
)  # fmt: skip


def _person(rng: random.Random) -> tuple[str, str, str]:
    # Most of the coordinators trained so far are women.
    last, first, patronymic = FEMALE if rng.random() < 0.7 else MALE
    return rng.choice(last), rng.choice(first), rng.choice(patronymic)


# Figures of one trainee ----------------------------------------------------------------------


@dataclass
class Activity:
    id: int
    kind: str  # "lesson", "case", "quiz"
    page: object


@dataclass
class AnswerSheet:
    """A quiz attempt's frozen layout and answers, graded once by the real grading functions."""

    layout: list
    answers: dict
    results: dict
    score: Decimal
    max_score: Decimal
    percent: Decimal


def _token(rng: random.Random) -> str:
    return f"{rng.getrandbits(40):010x}"


def _answer_sheets(quiz: QuizPage, rng: random.Random) -> tuple[list, list]:
    """Graded answer sheets of the quiz from weak to strong: (passing, failing)."""
    questions = []
    for section in quiz.sections.all():
        questions += list(
            Question.objects.filter(bank=section.bank).prefetch_related("options").order_by("pk")
        )
    sheets = []
    for index in range(QUIZ_POOL):
        # From every answer wrong (0 %) to every answer right (100 %): both kinds are there.
        skill = index / (QUIZ_POOL - 1)
        order = list(questions)
        rng.shuffle(order)
        layout, answers, results = [], {}, {}
        score = max_score = Decimal(0)
        for question in order:
            options = [option.pk for option in question.options.all()]
            shown = list(options)
            rng.shuffle(shown)
            layout.append({"question": question.pk, "options": [
                {"id": pk, "token": _token(rng)} for pk in shown
            ]})  # fmt: skip
            correct = [option.pk for option in question.options.all() if option.is_correct]
            wrong = [pk for pk in options if pk not in correct]
            right = rng.random() < skill
            if question.kind == QuestionKind.SINGLE:
                answer = correct[0] if right else rng.choice(wrong)
            elif question.kind == QuestionKind.MULTIPLE:
                answer = sorted(correct) if right else sorted([correct[0], wrong[0]])
            elif question.kind == QuestionKind.TRUE_FALSE:
                answer = "true" if question.correct_is_true == right else "false"
            else:
                answer = str(question.numeric_answer.normalize()) if right else "5"
            answers[str(question.pk)] = answer
            earned = fraction(question, answer)
            results[str(question.pk)] = str(earned.quantize(Decimal("0.0001")))
            score += earned * question.points
            max_score += question.points
        sheets.append(
            AnswerSheet(layout, answers, results, score, max_score, percent_of(score, max_score))
        )
    sheets.sort(key=lambda sheet: sheet.percent)
    passing = [sheet for sheet in sheets if sheet.percent >= quiz.pass_mark]
    failing = [sheet for sheet in sheets if sheet.percent < quiz.pass_mark]
    return passing, failing


def _pick(sheets: list, ability: float, rng: random.Random) -> AnswerSheet:
    position = ability + rng.gauss(0, 0.15)
    return sheets[max(0, min(len(sheets) - 1, int(position * len(sheets))))]


def _at(day: dt.date, zone: ZoneInfo, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone)


@dataclass
class Plan:
    """A cohort's dates and what state it is in."""

    state: str  # "finished", "running", "planned"
    starts_on: dt.date
    ends_on: dt.date


def _cohort_plans(count: int, today: dt.date, rng: random.Random) -> list[Plan]:
    """A region's cohorts: a quarter finished (at least one, from two cohorts up), a tenth
    planned, the rest running at every stage; in order of their start."""
    finished = max(1, round(count * 0.25)) if count > 1 else 0
    planned = round(count * 0.1)
    states = ["finished"] * finished + ["planned"] * planned
    states += ["running"] * (count - len(states))
    plans = []
    for state in states:
        length = dt.timedelta(days=rng.randint(70, 98))  # ten to fourteen weeks
        if state == "finished":
            ends = today - dt.timedelta(days=rng.randint(16, 480))
            plans.append(Plan(state, ends - length, ends))
        elif state == "running":
            starts = today - dt.timedelta(days=int(length.days * rng.uniform(0.08, 0.95)))
            plans.append(Plan(state, starts, starts + length))
        else:
            starts = today + dt.timedelta(days=rng.randint(5, 60))
            plans.append(Plan(state, starts, starts + length))
    return sorted(plans, key=lambda plan: plan.starts_on)


# The builder ---------------------------------------------------------------------------------


class Builder:
    """Builds one region at a time; every row of a region goes in with bulk inserts."""

    def __init__(self, *, program: ProgramPage, seed: int, now: dt.datetime, report):
        self.program = program
        self.seed = seed
        self.now = now
        self.report = report
        self.User = get_user_model()
        self.password = make_password(PASSWORD)
        self.groups = {group.name: group for group in Group.objects.all()}
        breakdown = curriculum_breakdown(program)
        self.total_hours = breakdown.total_hours
        self.practice_hours = breakdown.practice_hours
        pages = {
            page.pk: page
            for page in Page.objects.descendant_of(program)
            .filter(depth=program.depth + 2)
            .specific()
        }
        self.activities = []
        for module in breakdown.modules:
            for item in module.activities:
                page = pages[item.id]
                kind = (
                    "quiz"
                    if isinstance(page, QuizPage)
                    else "case"
                    if isinstance(page, CaseStudyPage)
                    else "lesson"
                )
                self.activities.append(Activity(item.id, kind, page))
        self.modules = list(ModulePage.objects.child_of(program).order_by("path"))
        self.quizzes = [activity for activity in self.activities if activity.kind == "quiz"]
        self.cases = [activity for activity in self.activities if activity.kind == "case"]
        pool_rng = random.Random(f"{seed}-quizzes")
        self.sheets = {quiz.id: _answer_sheets(quiz.page, pool_rng) for quiz in self.quizzes}
        self.tasks = {case.id: [task.pk for task in case.page.tasks.all()] for case in self.cases}
        self.rubrics = {
            case.id: [
                (criterion, [(level.id, level.value) for level in criterion.levels])
                for criterion in case.page.rubric_criteria.all()
            ]
            for case in self.cases
        }
        template = CertificateTemplate.objects.prefetch_related("signatories").get(program=program)
        self.template = template
        self.kind = document_kind(template=template, total_hours=self.total_hours)
        self.printed = {
            "heading": template.heading,
            "body": template.body,
            "footer": template.footer,
            "licence": template.licence,
            "city": template.city,
            "signatories": [
                {"name": signatory.name, "position": signatory.position}
                for signatory in template.signatories.all()
            ],
            "logo": "",
            "background": "",
        }

    def _users(self, rows: list[tuple[str, str, str, str]], region: Region, role: str) -> list:
        users = [
            self.User(
                username=username,
                last_name=last,
                first_name=first,
                patronymic=patronymic,
                region=region,
                email=f"{username}@{EMAIL_DOMAIN}",
                email_confirmed=True,
                data_consent=True,
                data_consent_at=self.now,
                password=self.password,
            )
            for username, last, first, patronymic in rows
        ]
        self.User.objects.bulk_create(users, batch_size=BATCH)
        group = self.groups[role]
        self.User.groups.through.objects.bulk_create(
            [self.User.groups.through(user_id=user.pk, group_id=group.pk) for user in users],
            batch_size=BATCH,
        )
        return users

    def region(self, region: Region, *, cohorts: int, trainees: int) -> None:
        rng = random.Random(f"{self.seed}-{region.code}")
        zone = ZoneInfo(region.time_zone)
        today = self.now.astimezone(zone).date()
        prefix = f"{USERNAME_PREFIX}{region.code}-"
        staff = self._users(
            [(f"{prefix}instructor{n}", *_person(rng)) for n in (1, 2, 3)], region, Role.INSTRUCTOR
        )
        self._users([(f"{prefix}official", *_person(rng))], region, Role.REGIONAL_OFFICIAL)
        plans = _cohort_plans(cohorts, today, rng)
        cohort_rows = [
            Cohort(
                program=self.program,
                region=region,
                name=f"Группа {number:02d}",
                starts_on=plan.starts_on,
                ends_on=plan.ends_on,
                capacity=max(25, trainees),
            )
            for number, plan in enumerate(plans, start=1)
        ]
        Cohort.objects.bulk_create(cohort_rows)
        Cohort.instructors.through.objects.bulk_create(
            [
                Cohort.instructors.through(cohort_id=cohort.pk, user_id=user.pk)
                for index, cohort in enumerate(cohort_rows)
                for user in (staff[index % 3], staff[(index + 1) % 3])
            ]
        )
        people = self._users(
            [
                (f"{prefix}{number:02d}-{seat:02d}", *_person(rng))
                for number in range(1, cohorts + 1)
                for seat in range(1, trainees + 1)
            ],
            region,
            Role.TRAINEE,
        )
        enrolments = []
        for index, (cohort, plan) in enumerate(zip(cohort_rows, plans, strict=True)):
            self.report.cohorts_by_state[plan.state] = (
                self.report.cohorts_by_state.get(plan.state, 0) + 1
            )
            for trainee in people[index * trainees : (index + 1) * trainees]:
                late = rng.random() < 0.1 and plan.state != "planned"
                enrolments.append(
                    Enrolment(
                        trainee=trainee,
                        cohort=cohort,
                        program=self.program,
                        enrolled_on=cohort.starts_on + dt.timedelta(days=rng.randint(1, 6))
                        if late
                        else cohort.starts_on,
                    )
                )
        # Who withdraws, and when, is settled before the rows go in.
        withdrawals = {}
        for position, enrolment in enumerate(enrolments):
            plan = plans[position // trainees]
            if plan.state == "planned" or rng.random() >= 0.05:
                continue
            last_day = min(today, plan.ends_on) - dt.timedelta(days=1)
            if last_day <= enrolment.enrolled_on:
                continue
            on = enrolment.enrolled_on + dt.timedelta(
                days=rng.randint(1, (last_day - enrolment.enrolled_on).days)
            )
            enrolment.status = Enrolment.Status.WITHDRAWN
            enrolment.withdrawn_on = on
            enrolment.withdrawal_reason = rng.choice(WITHDRAWAL_REASONS)
            withdrawals[position] = on
        Enrolment.objects.bulk_create(enrolments, batch_size=BATCH)
        EnrolmentEvent.objects.bulk_create(
            [
                EnrolmentEvent(
                    enrolment=enrolments[position],
                    kind=EnrolmentEvent.Kind.WITHDRAWN,
                    on=on,
                    reason=enrolments[position].withdrawal_reason,
                )
                for position, on in withdrawals.items()
            ]
        )
        self.report.withdrawn += len(withdrawals)
        self.report.regions += 1
        self.report.cohorts += len(cohort_rows)
        self.report.trainees += len(people)

        sessions = self._sessions(cohort_rows, zone, rng)
        rows = _Rows()
        complete = []
        for index, (cohort, plan) in enumerate(zip(cohort_rows, plans, strict=True)):
            graders = [staff[index % 3], staff[(index + 1) % 3]]
            for position in range(index * trainees, (index + 1) * trainees):
                enrolment = enrolments[position]
                done = self._trainee(
                    enrolment=enrolment,
                    plan=plan,
                    today=today,
                    zone=zone,
                    withdrawn_on=withdrawals.get(position),
                    sessions=sessions[cohort.pk],
                    grader=rng.choice(graders),
                    rows=rows,
                    rng=rng,
                )
                if done is not None:
                    complete.append((enrolment, cohort, done, graders[0].pk))
        rows.save(self.report)
        self._certificates(region, complete, today, rng)

    def _sessions(self, cohorts: list[Cohort], zone: ZoneInfo, rng: random.Random) -> dict:
        """Eight sessions a cohort, spread over its weeks, at a time of day chosen per cohort."""
        rows = []
        topics = [
            "Встреча с представителем фонда «Защитники Отечества»",
            "Банк России: финансовая грамотность семьи",
            "Центр «Мой бизнес»: поддержка предпринимательства",
            "Центр занятости: переобучение и вакансии",
            "Опыт соседнего региона: социальный паспорт",
            "Психолог: как говорить с семьёй о потере",
            "Юрист: льготы и документы",
            "Итоговая встреча: разбор случаев",
        ]
        for cohort in cohorts:
            length = (cohort.ends_on - cohort.starts_on).days
            hour = rng.choice([10, 14, 16])
            for number in range(SESSIONS_PER_COHORT):
                day = cohort.starts_on + dt.timedelta(
                    days=int(length * (number + 0.5) / SESSIONS_PER_COHORT)
                )
                starts = _at(day, zone, hour)
                rows.append(
                    Session(
                        cohort=cohort,
                        module=self.modules[number * len(self.modules) // SESSIONS_PER_COHORT],
                        topic=topics[number],
                        starts_at=starts,
                        ends_at=starts + dt.timedelta(minutes=90),
                        format=Session.Format.IN_PERSON if number % 3 else Session.Format.ONLINE,
                        room="Аудитория 12" if number % 3 else "",
                        link="" if number % 3 else "https://meet.example.org/school",
                        hours=Decimal(2),
                        kind="practice" if number % 2 else "theory",
                        checkin_secret=f"{rng.getrandbits(192):048x}",
                    )
                )
        Session.objects.bulk_create(rows, batch_size=BATCH)
        self.report.sessions += len(rows)
        by_cohort: dict[int, list[Session]] = {cohort.pk: [] for cohort in cohorts}
        for session in rows:
            by_cohort[session.cohort_id].append(session)
        return by_cohort

    def _trainee(
        self,
        *,
        enrolment: Enrolment,
        plan: Plan,
        today: dt.date,
        zone: ZoneInfo,
        withdrawn_on: dt.date | None,
        sessions: list[Session],
        grader,
        rows: _Rows,
        rng: random.Random,
    ) -> dt.date | None:
        """Write one trainee's work into `rows`; the day they completed, or None if they have not.

        Whether they completed is decided by the record's own rules on the figures made here.
        """
        ability = min(1.0, max(0.15, rng.gauss(0.74, 0.17)))
        presence = min(1.0, max(0.3, rng.gauss(0.9, 0.1)))
        total = len(self.activities)
        start = enrolment.enrolled_on
        until = min(today - dt.timedelta(days=1), plan.ends_on)
        if withdrawn_on is not None:
            until = min(until, withdrawn_on)
        if plan.state == "planned" or until <= start:
            return None
        elapsed = (until - start).days / max(1, (plan.ends_on - start).days)
        if plan.state == "finished" and withdrawn_on is None:
            count = total if rng.random() < 0.85 else int(total * rng.uniform(0.45, 0.95))
        else:
            pace = min(1.2, max(0.2, rng.gauss(0.95, 0.25)))
            count = min(total, round(total * elapsed * pace))
        rate = self._attendance(enrolment, sessions, presence, withdrawn_on, grader, rows, rng)
        if count == total and plan.state != "finished":
            # Done early, before the cohort's end. Such a trainee completes (and has their
            # certificate) only if no session still to come can take their attendance below the
            # threshold: sessions held later without them count as missed, and a certificate must
            # not outlive its holder's completion. The others keep one piece of work to do.
            rest = sum(1 for session in sessions if session.ends_at > self.now)
            safe = AttendanceRate(attended=rate.attended, counted=rate.counted + rest)
            if withdrawn_on is not None or not attendance_reaches(
                safe, self.program.attendance_threshold
            ):
                count = total - 1
        # Some stall: their last activity is weeks old (the dashboards' first sign of risk).
        active_until = until
        if plan.state == "running" and rng.random() < 0.12 and (until - start).days > 35:
            active_until = until - dt.timedelta(days=rng.randint(15, 30))
        window = max(1, (active_until - start).days)
        last_day = start + dt.timedelta(days=window * count // (count + 1))
        cells: dict[int, Decimal] = {}
        attempts: dict[int, list] = {}
        for index, activity in enumerate(self.activities[:count]):
            day = start + dt.timedelta(days=window * (index + 1) // (count + 1))
            at = _at(day, zone, rng.randint(9, 20), rng.randint(0, 59))
            if activity.kind == "quiz":
                passing, failing = self.sheets[activity.id]
                sheets = []
                if rng.random() < 0.25 * (1.2 - ability):
                    sheets.append(_pick(failing, ability, rng))
                sheets.append(_pick(passing, ability, rng))
                attempts[activity.id] = self._attempts(
                    enrolment, activity, sheets, at - dt.timedelta(hours=1), rows
                )
                rows.completions.append(
                    ActivityCompletion(
                        enrolment=enrolment,
                        activity_id=activity.id,
                        source=ActivityCompletion.Source.QUIZ,
                        completed_at=at,
                    )
                )
            elif activity.kind == "case":
                # The most recent piece of a trainee still studying may wait to be graded.
                waiting = plan.state != "finished" and index >= count - 2 and rng.random() < 0.5
                percent = self._case(enrolment, activity, at, grader, ability, waiting, rows, rng)
                if percent is not None:
                    cells[activity.id] = percent
                rows.completions.append(
                    ActivityCompletion(
                        enrolment=enrolment,
                        activity_id=activity.id,
                        source=ActivityCompletion.Source.SUBMISSION,
                        completed_at=at,
                    )
                )
            else:
                rows.completions.append(
                    ActivityCompletion(
                        enrolment=enrolment,
                        activity_id=activity.id,
                        source=ActivityCompletion.Source.SELF,
                        completed_at=at,
                    )
                )
        # The next quiz, failed and not yet passed, for some of those who reached it.
        if count < total and self.activities[count].kind == "quiz" and rng.random() < 0.3:
            quiz = self.activities[count]
            at = _at(active_until, zone, rng.randint(9, 20))
            attempts[quiz.id] = self._attempts(
                enrolment, quiz, [_pick(self.sheets[quiz.id][1], ability, rng)], at, rows
            )

        if withdrawn_on is not None or count < total:
            return None
        quiz_average = category_average(
            [
                counted_percent(attempts.get(quiz.id, []), quiz.page.attempt_policy)
                for quiz in self.quizzes
            ]
        )
        case_average = category_average([cells.get(case.id) for case in self.cases])
        final = exact_final_grade(
            quiz_average, case_average, self.program.quiz_weight, self.program.case_weight
        )
        if not grade_reaches(final, self.program.pass_mark):
            return None
        if not attendance_reaches(rate, self.program.attendance_threshold):
            return None
        return last_day

    def _attempts(self, enrolment, activity, sheets, at, rows) -> list[QuizAttempt]:
        made = []
        for number, sheet in enumerate(sheets, start=1):
            started = at - dt.timedelta(days=len(sheets) - number, minutes=25)
            attempt = QuizAttempt(
                quiz_id=activity.id,
                enrolment=enrolment,
                number=number,
                status=QuizAttempt.Status.GRADED,
                layout=sheet.layout,
                answers=sheet.answers,
                started_at=started,
                deadline=started + dt.timedelta(minutes=activity.page.time_limit_minutes or 0)
                if activity.page.time_limit_minutes
                else None,
                submitted_at=started + dt.timedelta(minutes=20),
                score=sheet.score.quantize(Decimal("0.01")),
                max_score=sheet.max_score,
                percent=sheet.percent,
                results=sheet.results,
            )
            made.append(attempt)
        rows.attempts += made
        return made

    def _case(self, enrolment, activity, at, grader, ability, waiting, rows, rng) -> Decimal | None:
        """Submitted case work, graded on the rubric and released unless `waiting`; the
        released percent (what the gradebook counts), or None."""
        submission = CaseSubmission(
            enrolment=enrolment,
            case_id=activity.id,
            answers={
                str(task): "Разобрала ситуацию семьи, составила план: шаги, сроки, ответственные."
                for task in self.tasks[activity.id]
            },
            status=CaseSubmission.Status.SUBMITTED if waiting else CaseSubmission.Status.GRADED,
            submitted_at=at,
            times_submitted=1,
        )
        rows.submissions.append(submission)
        if waiting:
            return None
        quality = min(1.0, max(0.0, ability + rng.gauss(0, 0.12)))
        criteria, score, max_score = [], Decimal(0), Decimal(0)
        for criterion, levels in self.rubrics[activity.id]:
            level_id, level = levels[round(quality * (len(levels) - 1))]
            points = Decimal(level["points"])
            score += points
            max_score += criterion.max_points
            criteria.append(
                {
                    "criterion": criterion.pk,
                    "title": criterion.title,
                    "level": level_id,
                    "level_title": level["title"],
                    "points": str(points),
                    "max_points": str(criterion.max_points),
                    "comment": "",
                }
            )
        percent = percent_of(score, max_score)
        graded_at = at + dt.timedelta(days=rng.randint(1, 4))
        graded_at = min(graded_at, self.now - dt.timedelta(hours=1))
        rows.grades.append(
            (
                submission,
                CaseGrade(
                    grader=grader,
                    criteria=criteria,
                    comment="Разбор на занятии: обратите внимание на сроки.",
                    score=score,
                    max_score=max_score,
                    percent=percent,
                    graded_at=graded_at,
                    released_at=graded_at,
                ),
            )
        )
        return percent

    def _attendance(self, enrolment, sessions, presence, withdrawn_on, grader, rows, rng):
        attended = counted = 0
        for session in sessions:
            if session.ends_at > self.now:
                break
            counted += 1
            if withdrawn_on is not None and session.starts_at.date() > withdrawn_on:
                continue  # held after they left: nobody marks them, and it counts as missed
            if session.starts_at.date() < enrolment.enrolled_on:
                continue
            roll = rng.random()
            if roll < presence:
                status = Attendance.Status.LATE if rng.random() < 0.1 else Attendance.Status.PRESENT
            elif rng.random() < 0.4:
                status = Attendance.Status.EXCUSED
            else:
                status = Attendance.Status.ABSENT
            if status in ATTENDED:
                attended += 1
            elif status == Attendance.Status.EXCUSED:
                counted -= 1
            rows.attendance.append(
                Attendance(
                    session=session,
                    enrolment=enrolment,
                    status=status,
                    marked_at=session.ends_at,
                    marked_by=grader,
                )
            )
        return AttendanceRate(attended=attended, counted=counted)

    def _certificates(self, region: Region, complete: list, today: dt.date, rng) -> None:
        """Certificates of those who completed, numbered in order of issue from the region's
        counters, as `certificates.services.issue_certificate` numbers them one by one."""
        issued = []
        for enrolment, cohort, completed_on, issuer_id in complete:
            # A finished cohort's certificates come after its end; one who completed early has
            # theirs a few days after their last piece of work.
            after = max(completed_on, cohort.ends_on) if cohort.ends_on < today else completed_on
            issued_on = min(today, after + dt.timedelta(days=rng.randint(1, 10)))
            issued.append((issued_on, enrolment.pk, enrolment, cohort, issuer_id))
        issued.sort(key=lambda row: row[:2])
        counters = {
            counter.year: counter
            for counter in SerialCounter.objects.select_for_update().filter(region=region)
        }

        def take(year: int) -> int:
            counter = counters.get(year)
            if counter is None:
                counter = counters[year] = SerialCounter.objects.create(region=region, year=year)
            counter.last += 1
            return counter.last

        rows = []
        for issued_on, _pk, enrolment, cohort, issuer_id in issued:
            registration = take(REGISTRATION)
            sequence = take(issued_on.year)
            trainee = enrolment.trainee
            rows.append(
                Certificate(
                    enrolment=enrolment,
                    trainee=trainee,
                    cohort=cohort,
                    program=self.program,
                    region=region,
                    kind=self.kind,
                    serial=f"{region.code}-{issued_on.year}-{sequence:05d}",
                    year=issued_on.year,
                    sequence=sequence,
                    registration_number=f"{region.code}/{registration}",
                    code="".join(rng.choice(ALPHABET) for _ in range(LENGTH)),
                    issued_on=issued_on,
                    expires_on=expiry_date(
                        issued_on=issued_on, validity_months=self.template.validity_months
                    ),
                    last_name=trainee.last_name,
                    first_name=trainee.first_name,
                    patronymic=trainee.patronymic,
                    program_title=self.program.title,
                    total_hours=self.total_hours,
                    practice_hours=self.practice_hours,
                    studied_from=max(cohort.starts_on, enrolment.enrolled_on),
                    studied_to=min(cohort.ends_on, issued_on),
                    region_name=region.name,
                    organisation=self.template.organisation,
                    printed=self.printed,
                    issued_by_id=issuer_id,
                )
            )
        Certificate.objects.bulk_create(rows, batch_size=BATCH)
        for counter in counters.values():
            counter.save(update_fields=["last"])
        self.report.certificates += len(rows)


class _Rows:
    """A region's rows waiting for their bulk inserts, in an order the foreign keys allow."""

    def __init__(self):
        self.completions: list[ActivityCompletion] = []
        self.attempts: list[QuizAttempt] = []
        self.submissions: list[CaseSubmission] = []
        self.grades: list[tuple[CaseSubmission, CaseGrade]] = []
        self.attendance: list[Attendance] = []

    def save(self, report: SyntheticReport) -> None:
        ActivityCompletion.objects.bulk_create(self.completions, batch_size=BATCH)
        QuizAttempt.objects.bulk_create(self.attempts, batch_size=BATCH)
        CaseSubmission.objects.bulk_create(self.submissions, batch_size=BATCH)
        for submission, grade in self.grades:
            grade.submission_id = submission.pk
        CaseGrade.objects.bulk_create([grade for _s, grade in self.grades], batch_size=BATCH)
        Attendance.objects.bulk_create(self.attendance, batch_size=BATCH)
        report.completions += len(self.completions)
        report.attempts += len(self.attempts)
        report.submissions += len(self.submissions)
        report.grades += len(self.grades)
        report.attendance += len(self.attendance)


def build_synthetic(
    *,
    regions: int,
    cohorts_per_region: int,
    trainees_per_cohort: int,
    seed: int = 1,
    progress: Progress = _no_progress,
    now: dt.datetime | None = None,
) -> SyntheticReport:
    """Build the set in one transaction: all of it, or (on an error) nothing.

    Refuses with SyntheticSetExists when one is there already (`reset_synthetic` removes it).
    """
    now = now or timezone.now()
    report = SyntheticReport()
    chosen = list(Region.objects.order_by("code")[:regions])
    with figures_paused(), transaction.atomic():
        if synthetic_exists():
            raise SyntheticSetExists
        progress("programme", 0, len(chosen))
        program = build_program()
        federal = Builder(program=program, seed=seed, now=now, report=report)
        federal._users(
            [(f"{USERNAME_PREFIX}federal", "Федорова", "Анна", "Сергеевна")],
            chosen[0] if chosen else Region.objects.order_by("code").first(),
            Role.FEDERAL_OFFICIAL,
        )
        for index, region in enumerate(chosen):
            progress(f"region {region.code}", index, len(chosen))
            federal.region(region, cohorts=cohorts_per_region, trainees=trainees_per_cohort)
            reset_queries()  # with DEBUG on, Django keeps every statement: not a country's worth
    progress("statistics", len(chosen), len(chosen))
    analyze()
    progress("done", len(chosen), len(chosen))
    return report
