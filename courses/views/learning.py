"""The trainee's side: "Моё обучение" and marking lessons studied, which leads on to the next
activity.

The home page shows courses' own facts (programmes, hours done, withdrawals); the completion rules
and the coming sessions come from the layers above through their template tags
(`records_tags`, `session_tags`), since courses may not import them.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.display import inner_quotes
from core import freshness

from ..models import LessonPage
from ..progress import activity_neighbours, learning_overview, withdrawals_of
from ..selectors import follows_cohorts
from ..services import lesson_mark_studied


@login_required
def learning_home(request):
    user = request.user
    follows = follows_cohorts(user)
    if follows and not learning_overview(user) and not withdrawals_of(user):
        return redirect("courses:cohort_list")  # staff land on the cohorts they follow
    # The facts are loaded only if the page's kept part is not there (core.freshness), after
    # the key is made.
    drawing = freshness.drawing_key(request, "learning-home", freshness.trainee(user.pk))
    return render(
        request,
        "courses/learning_home.html",
        {
            "drawing": drawing,
            "overview": SimpleLazyObject(lambda: learning_overview(user)),
            "withdrawals": SimpleLazyObject(lambda: withdrawals_of(user)),
            "nav_follows_cohorts": follows,
        },
    )


@login_required
@require_POST
def mark_studied(request, pk: int):
    lesson = get_object_or_404(LessonPage.objects.live(), pk=pk)
    lesson_mark_studied(user=request.user, lesson=lesson)
    # The trainee is led on through the programme; after its last activity, to «Моё обучение»,
    # which says what is still missing for completion.
    following = activity_neighbours(activity=lesson).next
    if following is not None:
        messages.success(
            request, _("«%(title)s» is marked as studied.") % {"title": inner_quotes(lesson.title)}
        )
        return redirect(following.url)
    messages.success(
        request,
        _("«%(title)s» is marked as studied. That was the last activity of the programme.")
        % {"title": inner_quotes(lesson.title)},
    )
    return redirect("courses:learning")
