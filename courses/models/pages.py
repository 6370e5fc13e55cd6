"""The curriculum as a Wagtail page tree.

ProgramIndexPage → ProgramPage → ModulePage → activities (LessonPage, CaseStudyPage, and the
quiz pages of the assessments app). Every activity is an `ActivityPage`, a concrete table that
holds its academic hours and kind, so that a programme's hours are one query whatever the types.
"""

from decimal import Decimal

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import GroupApprovalTask, Orderable, Page, PageViewRestriction
from wagtail.search import index

from core import freshness
from core.blocks import BodyBlock, PersonBlock

# Apps above courses add what they own to a case study page's context: a function of
# (page, request, context) registered under this name in their wagtail_hooks.
CASE_STUDY_CONTEXT_HOOK = "construct_case_study_context"


class ActivityKind(models.TextChoices):
    THEORY = "theory", _("Theory")
    PRACTICE = "practice", _("Practice")


class CurriculumPage(Page):
    """Behaviour shared by every page of a programme: sign-in required, practice balance kept."""

    class Meta:
        abstract = True

    def serve(self, request, *args, **kwargs):
        from courses.selectors import can_view_program

        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        program = self.program
        if program is None or not can_view_program(request.user, program):
            raise PermissionDenied
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # The page's main part is kept until the curriculum or the reader's own facts change
        # (core.freshness). The key is made here, before the subclasses add their facts, which
        # are lazy: loaded only when the part is drawn.
        context["drawing"] = freshness.drawing_key(
            request, f"page:{self.pk}", freshness.trainee(request.user.pk)
        )
        return context

    def publish(self, revision, *args, **kwargs):
        # Every way of publishing (workflow approval, scheduled and bulk publishing, scripts)
        # ends here; the admin's edit view is covered earlier, in wagtail_hooks.
        from courses.curriculum import check_practice_balance

        check_practice_balance(revision.as_object())
        return super().publish(revision, *args, **kwargs)

    @cached_property
    def program(self) -> "ProgramPage | None":
        # Kept on the instance: serving an activity asks for it three times (access, context,
        # navigation), and a page does not move between programmes while it is being served.
        if isinstance(self, ProgramPage):
            return self
        # Remembered until the school's pages change (core.freshness): a move, a new programme.
        return freshness.remembered(
            ("program-of", self.pk), [], lambda: ProgramPage.objects.ancestor_of(self).first()
        )

    def get_view_restrictions(self):
        # Wagtail asks at every request, two queries for none; whether there are any is
        # remembered until the school's pages or their restrictions change (core.freshness).
        restricted = freshness.remembered(
            ("view-restricted", self.pk),
            [],
            lambda: super(CurriculumPage, self).get_view_restrictions().exists(),
        )
        if restricted:
            return super().get_view_restrictions()
        return PageViewRestriction.objects.none()


class ProgramIndexPage(Page):
    """The list of the school's programmes."""

    intro = RichTextField(_("introduction"), features=["bold", "italic", "link"], blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["content.HomePage"]
    subpage_types = ["courses.ProgramPage"]

    class Meta:
        verbose_name = _("programme index")

    def serve(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from courses.selectors import programs_visible_to

        context = super().get_context(request, *args, **kwargs)
        context["programs"] = programs_visible_to(request.user)
        return context


class ProgramPage(CurriculumPage):
    """A programme of study, such as the Tambov school's 72-hour course.

    `practice_target` is the minimum share of practice (in per cent of academic hours) the
    programme must keep; publishing anything that would drop below it is refused.
    """

    summary = models.TextField(_("summary"), blank=True)
    description = StreamField(BodyBlock(), verbose_name=_("description"), blank=True)
    practice_target = models.PositiveSmallIntegerField(
        _("practice target, %"),
        default=75,
        validators=[MinValueValidator(0), MaxValueValidator(95)],
        help_text=_("The minimum share of practice in the programme's academic hours."),
    )
    # The grading policy, published to trainees: how the final grade is made.
    quiz_weight = models.PositiveSmallIntegerField(
        _("weight of quizzes, %"), default=40, validators=[MaxValueValidator(100)]
    )
    case_weight = models.PositiveSmallIntegerField(
        _("weight of case work, %"), default=60, validators=[MaxValueValidator(100)]
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark, %"),
        default=60,
        validators=[MaxValueValidator(100)],
        help_text=_("The final grade a trainee needs to complete the programme."),
    )
    attendance_threshold = models.PositiveSmallIntegerField(
        _("attendance threshold, %"),
        default=80,
        validators=[MaxValueValidator(100)],
        help_text=_("The share of sessions a trainee must attend (excused absences aside)."),
    )
    # Whose programme it is: the region whose authors keep it (a copy adopted by another region
    # is that region's). Empty for a programme shared by all. Never carried in a package.
    region = models.ForeignKey(
        "accounts.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="programmes",
        verbose_name=_("region"),
        help_text=_("The region whose authors keep the programme; empty for one shared by all."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("description"),
        FieldPanel("practice_target"),
        MultiFieldPanel(
            [
                FieldPanel("quiz_weight"),
                FieldPanel("case_weight"),
                FieldPanel("pass_mark"),
                FieldPanel("attendance_threshold"),
            ],
            heading=_("Grading policy"),
        ),
    ]
    settings_panels = [*Page.settings_panels, FieldPanel("region")]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("description"),
    ]
    parent_page_types = ["courses.ProgramIndexPage"]
    subpage_types = ["courses.ModulePage"]

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def clean(self):
        super().clean()
        if self.quiz_weight + self.case_weight != 100:
            raise ValidationError(
                {"case_weight": _("The weights of quizzes and case work must add up to 100 %.")}
            )

    def get_context(self, request, *args, **kwargs):
        from courses.curriculum import curriculum_breakdown

        context = super().get_context(request, *args, **kwargs)
        context["breakdown"] = SimpleLazyObject(lambda: curriculum_breakdown(self))
        return context


class ModulePage(CurriculumPage):
    """A module of a programme: a topic with its lessons, case studies and quizzes."""

    summary = models.TextField(_("summary"), blank=True)
    objectives = RichTextField(
        _("learning objectives"), features=["bold", "italic", "ul", "ol"], blank=True
    )

    content_panels = [*Page.content_panels, FieldPanel("summary"), FieldPanel("objectives")]
    search_fields = [*Page.search_fields, index.SearchField("summary")]
    parent_page_types = ["courses.ProgramPage"]
    subpage_types = ["courses.LessonPage", "courses.CaseStudyPage", "assessments.QuizPage"]

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")

    def get_context(self, request, *args, **kwargs):
        from courses.progress import module_activities

        context = super().get_context(request, *args, **kwargs)
        context["activities"] = SimpleLazyObject(
            lambda: module_activities(request.user, self, self.get_parent().specific)
        )
        return context


class ActivityPage(CurriculumPage):
    """Anything a trainee studies or does inside a module, counted in academic hours."""

    hours = models.DecimalField(
        _("academic hours"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("200"))],
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=ActivityKind.choices, default=ActivityKind.THEORY
    )
    summary = models.TextField(_("summary"), blank=True)

    is_creatable = False
    parent_page_types = ["courses.ModulePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__gt=0), name="courses_activity_hours_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=ActivityKind.values), name="courses_activity_kind_valid"
            ),
        ]

    @property
    def is_practice(self) -> bool:
        return self.kind == ActivityKind.PRACTICE


class LessonPage(ActivityPage):
    """A theory lesson (its kind can be switched to practice for a workshop)."""

    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel([FieldPanel("hours"), FieldPanel("kind")], heading=_("Academic hours")),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
    ]
    parent_page_types = ["courses.ModulePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    def get_context(self, request, *args, **kwargs):
        from courses.progress import activity_state

        context = super().get_context(request, *args, **kwargs)
        context["state"] = SimpleLazyObject(lambda: activity_state(request.user, self))
        return context


class CaseStudyPage(ActivityPage):
    """A practice case: a family's situation, the trainee's tasks and a guide for instructors.

    The discussion guide is for instructors only: it is never indexed for search and never put in
    a trainee's page context.
    """

    scenario = StreamField(BodyBlock(), verbose_name=_("scenario"))
    profile_summary = models.TextField(
        _("profile of the family or person"),
        blank=True,
        help_text=_("Who they are, where they live, what they have already tried."),
    )
    family = StreamField(
        [("person", PersonBlock())], verbose_name=_("members of the family"), blank=True
    )
    discussion_guide = RichTextField(
        _("discussion guide (instructors only)"),
        features=["h3", "bold", "italic", "ol", "ul", "link"],
        blank=True,
        help_text=_("Never shown to trainees: expected answers, pitfalls, questions to ask."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("hours"),
        FieldPanel("summary"),
        FieldPanel("scenario"),
        MultiFieldPanel(
            [FieldPanel("profile_summary"), FieldPanel("family")],
            heading=_("Profile of the family or person"),
        ),
        InlinePanel("tasks", heading=_("Tasks for the trainee"), label=_("Task"), min_num=1),
        InlinePanel("attachments", heading=_("Attachments"), label=_("Attachment")),
        InlinePanel(
            "rubric_criteria",
            heading=_("Rubric"),
            label=_("Criterion"),
            help_text=_("Instructors grade the trainee's work on these criteria."),
        ),
        MultiFieldPanel([FieldPanel("discussion_guide")], heading=_("For instructors only")),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("scenario"),
        index.SearchField("profile_summary"),
    ]
    parent_page_types = ["courses.ModulePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("case study")
        verbose_name_plural = _("case studies")

    def save(self, *args, **kwargs):
        self.kind = ActivityKind.PRACTICE  # a case study is practice by definition
        return super().save(*args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from courses.selectors import can_read_discussion_guide

        context = super().get_context(request, *args, **kwargs)
        if f"casework-draft-{self.pk}" in request.session:
            context["drawing"] = None  # answers of a refused save come back once, drawn afresh
        context["discussion_guide"] = (
            self.discussion_guide if can_read_discussion_guide(request.user) else None
        )
        # The trainee's case work belongs to assessments, above courses: it adds it to the page
        # through this hook (see assessments/wagtail_hooks.py) rather than courses reaching up.
        for add_context in hooks.get_hooks(CASE_STUDY_CONTEXT_HOOK):
            add_context(page=self, request=request, context=context)
        return context


class CaseStudyTask(Orderable):
    """One task the trainee answers in a case study (submissions attach to it later)."""

    page = ParentalKey(CaseStudyPage, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("title"), max_length=255)
    instructions = RichTextField(
        _("instructions"), features=["bold", "italic", "ol", "ul", "link"], blank=True
    )

    panels = [FieldPanel("title"), FieldPanel("instructions")]

    class Meta(Orderable.Meta):
        verbose_name = _("case task")
        verbose_name_plural = _("case tasks")

    def __str__(self) -> str:
        return self.title


class CaseStudyAttachment(Orderable):
    """A document handed to the trainee with the case: a certificate, a statement, a form."""

    page = ParentalKey(CaseStudyPage, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey("wagtaildocs.Document", on_delete=models.CASCADE, related_name="+")
    caption = models.CharField(_("caption"), max_length=255, blank=True)

    panels = [FieldPanel("document"), FieldPanel("caption")]

    class Meta(Orderable.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")


class CurriculumReviewTask(GroupApprovalTask):
    """Approval by a senior instructor that refuses to publish what would break the 75 % rule."""

    class Meta:
        verbose_name = _("curriculum review")
        verbose_name_plural = _("curriculum reviews")

    def on_action(self, task_state, user, action_name, **kwargs):
        if self._of_another_region(task_state.workflow_state.content_object, user):
            raise PermissionDenied
        if action_name == "approve":
            from courses.curriculum import check_practice_balance

            check_practice_balance(task_state.revision.as_object())
        return super().on_action(task_state, user, action_name, **kwargs)

    # A programme kept by a region (its own, or its copy of another region's) is reviewed by
    # that region's reviewers; those who follow every region (administrators) review all.

    @staticmethod
    def _of_another_region(obj, user) -> bool:
        if user is None or user.is_superuser or user.has_perm("accounts.view_all_regions"):
            return False
        program = getattr(getattr(obj, "specific", obj), "program", None)
        region_id = getattr(program, "region_id", None)
        return region_id is not None and region_id != user.region_id

    def user_can_access_editor(self, obj, user):
        return super().user_can_access_editor(obj, user) and not self._of_another_region(obj, user)

    def locked_for_user(self, obj, user):
        return super().locked_for_user(obj, user) or self._of_another_region(obj, user)

    def user_can_lock(self, obj, user):
        return super().user_can_lock(obj, user) and not self._of_another_region(obj, user)

    def get_actions(self, obj, user):
        return [] if self._of_another_region(obj, user) else super().get_actions(obj, user)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        states = super().get_task_states_user_can_moderate(user, **kwargs)
        if user.is_superuser or user.has_perm("accounts.view_all_regions"):
            return states
        others = ProgramPage.objects.exclude(region__isnull=True).exclude(region_id=user.region_id)
        within = Q()
        for path in others.values_list("path", flat=True):
            within |= Q(path__startswith=path)
        if not within:
            return states
        foreign = Page.objects.filter(within).annotate(key=Cast("pk", models.CharField()))
        return states.exclude(workflow_state__object_id__in=foreign.values("key"))
