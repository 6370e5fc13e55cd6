"""Taking a quiz: start, answer (with autosave), check the summary, submit, see the result."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import freshness

from ..models import QuizPage
from ..selectors import (
    attempt_of,
    attempt_review,
    attempt_summary,
    attempt_timer,
    quiz_page,
    review_allowed,
    review_deferred_text,
    seconds_left,
    shown_questions,
)
from ..services import (
    NOT_STUDYING,
    OwnAttempt,
    QuizError,
    attempt_can_continue,
    attempt_save,
    attempt_start,
    attempt_submit,
    close_if_expired,
)


def _wants_json(request) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


@login_required
@require_POST
def quiz_start(request, pk: int):
    try:
        quiz = quiz_page(pk)
    except QuizPage.DoesNotExist:
        raise Http404 from None
    if not quiz.live:
        raise Http404
    try:
        attempt = attempt_start(user=request.user, quiz=quiz)
    except QuizError as error:
        messages.error(request, str(error))
        return redirect(quiz.url)
    return redirect("assessments:attempt", pk=attempt.pk)


def _no_longer_studying(request):
    messages.error(request, NOT_STUDYING)
    return redirect("courses:learning")


@login_required
def attempt_take(request, pk: int):
    attempt = close_if_expired(attempt=attempt_of(request.user, pk))
    if not attempt.is_open:
        return redirect("assessments:result", pk=attempt.pk)
    if not attempt_can_continue(attempt):
        return _no_longer_studying(request)
    # The questions with the answers saved are kept until the trainee's facts change (an answer
    # saved is one: core.freshness); the timer above them is drawn at each request.
    drawing = freshness.drawing_key(
        request, f"attempt:{attempt.pk}", freshness.trainee(request.user.pk)
    )
    return _take(
        request, attempt, SimpleLazyObject(lambda: shown_questions(attempt)), drawing=drawing
    )


def _take(request, attempt, questions, status: int = 200, drawing: str | None = None):
    return render(
        request,
        "assessments/attempt_take.html",
        {
            "drawing": drawing,
            "attempt": attempt,
            "quiz": attempt.quiz,
            "questions": questions,
            "timer": attempt_timer(attempt),
        },
        status=status,
    )


@login_required
def attempt_check(request, pk: int):
    """The summary before submitting: which questions still have no answer."""
    attempt = close_if_expired(attempt=attempt_of(request.user, pk))
    if not attempt.is_open:
        return redirect("assessments:result", pk=attempt.pk)
    if not attempt_can_continue(attempt):
        return _no_longer_studying(request)
    return render(
        request,
        "assessments/attempt_summary.html",
        {
            "attempt": attempt,
            "quiz": attempt.quiz,
            "summary": attempt_summary(attempt=attempt),
            "timer": attempt_timer(attempt),
        },
    )


@login_required
@require_POST
def attempt_autosave(request, pk: int):
    own = OwnAttempt(request.user, pk)
    try:
        errors = attempt_save(attempt=own, data=request.POST)
    except QuizError as error:
        if _wants_json(request):
            return JsonResponse({"saved": False, "closed": True, "message": str(error)}, status=409)
        attempt = attempt_of(request.user, pk)
        if attempt.is_open and not attempt_can_continue(attempt):
            return _no_longer_studying(request)
        messages.info(request, str(error))
        return redirect("assessments:result", pk=attempt.pk)
    attempt = own.attempt
    if _wants_json(request):
        return JsonResponse(
            {
                "saved": True,
                "errors": {str(key): value for key, value in errors.items()},
                # The page re-syncs its countdown with the server's clock on every save.
                "remaining": seconds_left(attempt),
            }
        )
    if errors:
        return _take_with_errors(request, attempt, errors)
    if request.POST.get("then") == "summary":
        return redirect("assessments:summary", pk=attempt.pk)
    messages.success(request, _("Your answers are saved."))
    return redirect("assessments:attempt", pk=attempt.pk)


@login_required
@require_POST
def attempt_finish(request, pk: int):
    try:
        attempt, errors = attempt_submit(attempt=OwnAttempt(request.user, pk), data=request.POST)
    except QuizError:
        return _no_longer_studying(request)
    if errors:
        return _take_with_errors(request, attempt, errors)
    return redirect("assessments:result", pk=attempt.pk)


def _take_with_errors(request, attempt, errors):
    messages.error(
        request, _("Some answers could not be accepted: see the questions marked below.")
    )
    return _take(request, attempt, shown_questions(attempt, errors), status=400)


@login_required
def attempt_result(request, pk: int):
    attempt = close_if_expired(attempt=attempt_of(request.user, pk))
    if attempt.is_open:
        if not attempt_can_continue(attempt):
            return _no_longer_studying(request)
        return redirect("assessments:attempt", pk=attempt.pk)
    show = review_allowed(attempt.quiz, attempt)
    return render(
        request,
        "assessments/attempt_result.html",
        {
            "attempt": attempt,
            "quiz": attempt.quiz,
            "review": show,
            "questions": attempt_review(attempt=attempt) if show else [],
            "deferred": "" if show else review_deferred_text(attempt.quiz),
        },
    )
