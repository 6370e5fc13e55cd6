"""Quizzes: question banks, quiz pages that draw on them, and trainees' attempts.

Questions are Wagtail snippets grouped in banks; a QuizPage is an activity of a module (with hours
and a kind like any other) whose sections each draw some or all questions of a bank. An attempt
freezes its questions and option order when it starts, keeps the trainee's answers as they are
saved, and is graded once, on the server.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage, storages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from courses.models import ActivityPage, Enrolment
from courses.models.cohorts import enrolment_freshness


def private_storage() -> Storage:
    """Trainees' files live outside MEDIA_ROOT, so that no web server hands them out unchecked:
    the `private` storage of STORAGES (a folder of their own, or a private S3 bucket).

    A callable, so that migrations record no machine's path.
    """
    return storages["private"]


class QuestionBank(models.Model):
    """A pool of questions on one topic, such as "Меры поддержки: восемь направлений"."""

    title = models.CharField(_("title"), max_length=255, unique=True)
    description = models.TextField(_("description"), blank=True)

    panels = [FieldPanel("title"), FieldPanel("description")]

    class Meta:
        verbose_name = _("question bank")
        verbose_name_plural = _("question banks")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice (partial credit)")
    TRUE_FALSE = "true_false", _("True or false")
    SHORT_TEXT = "short_text", _("Short text")
    NUMERIC = "numeric", _("Number")
    MATCHING = "matching", _("Matching")
    ORDERING = "ordering", _("Ordering")


class Question(index.Indexed, ClusterableModel):
    """One question of a bank. What counts as correct depends on its kind:

    - single / multiple choice: the options marked correct;
    - true or false: `correct_is_true`;
    - short text: any of `accepted_answers` (one a line), compared ignoring case, spaces and ё/е;
    - number: `numeric_answer` ± `numeric_tolerance`;
    - matching: each option's text goes with its `match_text`;
    - ordering: the options in the order they are listed.
    """

    bank = models.ForeignKey(
        QuestionBank, on_delete=models.PROTECT, related_name="questions", verbose_name=_("bank")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=QuestionKind.choices)
    text = RichTextField(_("question"), features=["bold", "italic", "ol", "ul"])
    points = models.DecimalField(
        _("points"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.25"))],
    )
    correct_is_true = models.BooleanField(_("the statement is true"), default=True)
    accepted_answers = models.TextField(
        _("accepted answers"), blank=True, help_text=_("One answer a line.")
    )
    numeric_answer = models.DecimalField(
        _("correct number"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    numeric_tolerance = models.DecimalField(
        _("tolerance ±"), max_digits=14, decimal_places=4, default=Decimal("0")
    )
    explanation = RichTextField(
        _("explanation"),
        features=["bold", "italic", "link"],
        blank=True,
        help_text=_("Shown with the correct answer when the quiz's review setting allows."),
    )

    panels = [
        FieldRowPanel([FieldPanel("bank"), FieldPanel("kind"), FieldPanel("points")]),
        FieldPanel("text"),
        InlinePanel(
            "options",
            heading=_("Options, pairs or items"),
            label=_("Option"),
            help_text=_(
                "Choice: tick the correct ones. Matching: each text with its pair. "
                "Ordering: list the items in the correct order."
            ),
        ),
        MultiFieldPanel(
            [FieldPanel("correct_is_true")], heading=_("True or false"), classname="collapsed"
        ),
        MultiFieldPanel(
            [FieldPanel("accepted_answers")], heading=_("Short text"), classname="collapsed"
        ),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("numeric_answer"), FieldPanel("numeric_tolerance")])],
            heading=_("Number"),
            classname="collapsed",
        ),
        FieldPanel("explanation"),
    ]
    search_fields = [
        index.SearchField("text"),
        index.FilterField("bank"),
        index.FilterField("kind"),
    ]

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["bank", "pk"]

    def __str__(self) -> str:
        from django.utils.html import strip_tags
        from django.utils.text import Truncator

        return Truncator(strip_tags(self.text)).chars(80)

    def clean(self):
        super().clean()
        if self.kind == QuestionKind.SHORT_TEXT and not self.accepted_answers.strip():
            raise ValidationError({"accepted_answers": _("Give at least one accepted answer.")})
        if self.kind == QuestionKind.NUMERIC and self.numeric_answer is None:
            raise ValidationError({"numeric_answer": _("Give the correct number.")})
        if self.numeric_tolerance is not None and self.numeric_tolerance < 0:
            raise ValidationError({"numeric_tolerance": _("The tolerance cannot be negative.")})


class QuestionOption(Orderable):
    question = ParentalKey(Question, on_delete=models.CASCADE, related_name="options")
    text = models.CharField(_("text"), max_length=500)
    is_correct = models.BooleanField(_("correct"), default=False)
    match_text = models.CharField(
        _("pair (matching)"), max_length=500, blank=True, help_text=_("Only for matching.")
    )

    panels = [
        FieldRowPanel([FieldPanel("text"), FieldPanel("is_correct"), FieldPanel("match_text")])
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("option")
        verbose_name_plural = _("options")

    def __str__(self) -> str:
        return self.text


class AttemptPolicy(models.TextChoices):
    BEST = "best", _("Best attempt")
    LAST = "last", _("Last attempt")
    AVERAGE = "average", _("Average of attempts")


class ReviewPolicy(models.TextChoices):
    NEVER = "never", _("Never")
    AFTER_ATTEMPT = "after_attempt", _("After each attempt")
    AFTER_CLOSE = "after_close", _("After the quiz closes")


class QuizPage(ActivityPage):
    """A graded quiz inside a module. Grading happens only on the server."""

    intro = RichTextField(_("introduction"), features=["bold", "italic", "link", "ul"], blank=True)
    time_limit_minutes = models.PositiveSmallIntegerField(
        _("time limit, minutes"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
        help_text=_("Empty: no time limit."),
    )
    attempts_allowed = models.PositiveSmallIntegerField(
        _("attempts allowed"), default=2, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark, %"), default=60, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    shuffle_questions = models.BooleanField(_("shuffle questions"), default=True)
    shuffle_options = models.BooleanField(_("shuffle options"), default=True)
    attempt_policy = models.CharField(
        _("attempt that counts"),
        max_length=16,
        choices=AttemptPolicy.choices,
        default=AttemptPolicy.BEST,
    )
    review_policy = models.CharField(
        _("show correct answers"),
        max_length=16,
        choices=ReviewPolicy.choices,
        default=ReviewPolicy.AFTER_ATTEMPT,
    )
    closes_at = models.DateTimeField(
        _("closes at"),
        null=True,
        blank=True,
        help_text=_("After this moment no attempt can start; answers may then be shown."),
    )

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("hours"), FieldPanel("kind")])], heading=_("Academic hours")
        ),
        FieldPanel("summary"),
        FieldPanel("intro"),
        InlinePanel("sections", heading=_("Questions"), label=_("Section"), min_num=1),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("time_limit_minutes"), FieldPanel("attempts_allowed")]),
                FieldRowPanel([FieldPanel("pass_mark"), FieldPanel("attempt_policy")]),
                FieldRowPanel([FieldPanel("shuffle_questions"), FieldPanel("shuffle_options")]),
                FieldRowPanel([FieldPanel("review_policy"), FieldPanel("closes_at")]),
            ],
            heading=_("Rules"),
        ),
    ]
    parent_page_types = ["courses.ModulePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")

    def get_context(self, request, *args, **kwargs):
        from .selectors import quiz_overview

        context = super().get_context(request, *args, **kwargs)
        context["overview"] = SimpleLazyObject(lambda: quiz_overview(user=request.user, quiz=self))
        return context


class QuizSection(Orderable):
    """A part of a quiz: `count` questions drawn at random from a bank, or all of them."""

    page = ParentalKey(QuizPage, on_delete=models.CASCADE, related_name="sections")
    bank = models.ForeignKey(
        QuestionBank, on_delete=models.PROTECT, related_name="+", verbose_name=_("bank")
    )
    count = models.PositiveSmallIntegerField(
        _("questions to draw"), null=True, blank=True, help_text=_("Empty: every question.")
    )

    panels = [FieldRowPanel([FieldPanel("bank"), FieldPanel("count")])]

    class Meta(Orderable.Meta):
        verbose_name = _("section")
        verbose_name_plural = _("sections")


class QuizAttempt(models.Model):
    """One sitting of a quiz by an enrolled trainee.

    `layout` freezes what was asked: [{"question": id, "options": [ids in shown order],
    "pairs": [ids of the right-hand side in shown order]}]. `answers` maps a question id to the
    answer as saved. The deadline is fixed at the start; after it nothing more is saved.
    """

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        GRADED = "graded", _("Graded")

    quiz = models.ForeignKey(
        QuizPage, on_delete=models.CASCADE, related_name="attempts", verbose_name=_("quiz")
    )
    enrolment = models.ForeignKey(
        Enrolment,
        on_delete=models.CASCADE,
        related_name="quiz_attempts",
        verbose_name=_("enrolment"),
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.IN_PROGRESS
    )
    layout = models.JSONField(default=list)
    answers = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(_("started at"))
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    timed_out = models.BooleanField(_("closed at the deadline"), default=False)
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(
        _("maximum score"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    percent = models.DecimalField(
        _("per cent"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    # Per question: {"question id": fraction of its points}; set once, when graded.
    results = models.JSONField(default=dict, blank=True)

    freshness_scopes = enrolment_freshness  # core.freshness: this trainee's and cohort's pages

    class Meta:
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        ordering = ["enrolment", "quiz", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "enrolment", "number"], name="assessments_attempt_number_unique"
            ),
            models.UniqueConstraint(
                fields=["quiz", "enrolment"],
                condition=models.Q(status="in_progress"),
                name="assessments_one_open_attempt",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quiz} #{self.number} — {self.enrolment.trainee}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.IN_PROGRESS

    @property
    def passed(self) -> bool:
        return self.percent is not None and self.percent >= self.quiz.pass_mark


# Case work ---------------------------------------------------------------------------------


class RubricLevelBlock(blocks.StructBlock):
    """One level of a rubric criterion: what the work shows, and the points it earns."""

    title = blocks.CharBlock(label=_("Level"), max_length=100)
    points = blocks.DecimalBlock(label=_("Points"), min_value=0, max_digits=5, decimal_places=2)
    descriptor = blocks.TextBlock(label=_("What the work shows"), required=False)

    class Meta:
        icon = "list-ol"
        label = _("Level")


class RubricCriterion(Orderable):
    """A criterion of a case study's rubric, with its levels from weakest to strongest."""

    page = ParentalKey(
        "courses.CaseStudyPage", on_delete=models.CASCADE, related_name="rubric_criteria"
    )
    title = models.CharField(_("criterion"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    levels = StreamField([("level", RubricLevelBlock())], verbose_name=_("levels"), min_num=2)

    panels = [FieldPanel("title"), FieldPanel("description"), FieldPanel("levels")]

    class Meta(Orderable.Meta):
        verbose_name = _("rubric criterion")
        verbose_name_plural = _("rubric criteria")

    def __str__(self) -> str:
        return self.title

    @property
    def max_points(self) -> Decimal:
        return max((Decimal(level.value["points"]) for level in self.levels), default=Decimal("0"))


def submission_upload_to(instance, filename: str) -> str:
    # The stored name is random; the trainee's name for the file is kept in `original_name`.
    return f"submissions/{uuid.uuid4().hex}"


class CaseSubmission(models.Model):
    """A trainee's work on a case study: an answer to each task, and files.

    It may be changed and resubmitted until it is graded or the deadline passes.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        GRADED = "graded", _("Graded")

    enrolment = models.ForeignKey(
        Enrolment,
        on_delete=models.CASCADE,
        related_name="case_submissions",
        verbose_name=_("enrolment"),
    )
    case = models.ForeignKey(
        "courses.CaseStudyPage",
        on_delete=models.CASCADE,
        related_name="submissions",
        verbose_name=_("case study"),
    )
    # {"task id": "the trainee's answer"}
    answers = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    times_submitted = models.PositiveSmallIntegerField(_("times submitted"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    freshness_scopes = enrolment_freshness  # core.freshness: this trainee's and cohort's pages

    class Meta:
        verbose_name = _("case work")
        verbose_name_plural = _("case work")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "case"], name="assessments_one_submission_per_case"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} — {self.enrolment.trainee}"


class SubmissionFile(models.Model):
    """A file attached to case work; served only through a view that checks who asks."""

    submission = models.ForeignKey(
        CaseSubmission, on_delete=models.CASCADE, related_name="files", verbose_name=_("case work")
    )
    file = models.FileField(_("file"), upload_to=submission_upload_to, storage=private_storage)
    original_name = models.CharField(_("name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("file")
        verbose_name_plural = _("files")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name

    def freshness_scopes(self) -> list[str]:
        return self.submission.freshness_scopes()


class CaseGrade(models.Model):
    """An instructor's grade of case work on its rubric; the trainee sees it once released.

    `criteria` keeps what was graded as it was then: [{"criterion": id, "title", "level",
    "level_title", "points", "max_points", "comment"}], so that later edits of the rubric do not
    rewrite past grades.
    """

    submission = models.OneToOneField(
        CaseSubmission, on_delete=models.CASCADE, related_name="grade", verbose_name=_("case work")
    )
    grader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("graded by"),
    )
    criteria = models.JSONField(default=list)
    comment = models.TextField(_("comment"), blank=True)
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=2)
    max_score = models.DecimalField(_("maximum score"), max_digits=7, decimal_places=2)
    percent = models.DecimalField(_("per cent"), max_digits=5, decimal_places=1)
    graded_at = models.DateTimeField(_("graded at"))
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)

    class Meta:
        verbose_name = _("case grade")
        verbose_name_plural = _("case grades")

    def __str__(self) -> str:
        return f"{self.submission}: {self.percent} %"

    @property
    def is_released(self) -> bool:
        return self.released_at is not None

    def freshness_scopes(self) -> list[str]:
        return self.submission.freshness_scopes()
