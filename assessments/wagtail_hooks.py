from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from courses.models.pages import CASE_STUDY_CONTEXT_HOOK

from .models import Question, QuestionBank
from .selectors import casework_state


@hooks.register(CASE_STUDY_CONTEXT_HOOK)
def add_casework(*, page, request, context) -> None:
    """The trainee's work on the case study page; answers of a save that was refused come back
    from the session, so nothing is lost."""
    draft = request.session.pop(f"casework-draft-{page.pk}", None)
    # Loaded only if the page's kept part is not there (core.freshness).
    context["casework"] = SimpleLazyObject(
        lambda: casework_state(user=request.user, case=page, draft=draft)
    )


class QuestionBankViewSet(SnippetViewSet):
    model = QuestionBank
    icon = "folder-open-inverse"
    menu_label = _("Question banks")
    list_display = ["title"]
    search_fields = ["title", "description"]


class QuestionViewSet(SnippetViewSet):
    model = Question
    icon = "help"
    menu_label = _("Questions")
    list_display = ["__str__", "bank", "kind", "points"]
    list_filter = ["bank", "kind"]


class AssessmentsViewSetGroup(SnippetViewSetGroup):
    items = (QuestionBankViewSet, QuestionViewSet)
    menu_icon = "tasks"
    menu_label = _("Quizzes")
    menu_name = "quizzes"


register_snippet(AssessmentsViewSetGroup)
