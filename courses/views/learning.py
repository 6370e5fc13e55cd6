"""The trainee's side: "Моё обучение" and marking lessons studied (which leads on to the next
activity)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..completion import completion_state
from ..models import LessonPage
from ..progress import activity_neighbours, learning_overview
from ..selectors import follows_cohorts
from ..services import lesson_mark_studied


@login_required
def learning_home(request):
    from schedule.selectors import trainee_sessions

    overview = learning_overview(request.user)
    if not overview and follows_cohorts(request.user):
        return redirect("courses:cohort_list")  # staff land on the cohorts they follow
    for item in overview:
        # The hours and completions are already at hand: the rules reuse them.
        item.completion = completion_state(
            item.enrolment, breakdown=item.breakdown, done=item.completed.keys()
        )
    upcoming = (
        trainee_sessions(request.user).filter(ends_at__gte=timezone.now()).order_by("starts_at")[:5]
    )
    return render(
        request, "courses/learning_home.html", {"overview": overview, "upcoming": upcoming}
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
        messages.success(request, _("«%(title)s» is marked as studied.") % {"title": lesson.title})
        return redirect(following.url)
    messages.success(
        request,
        _("«%(title)s» is marked as studied. That was the last activity of the programme.")
        % {"title": lesson.title},
    )
    return redirect("courses:learning")
