"""Schedules, sessions, the attendance register, QR check-in, feedback and calendar feeds."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.display import inner_quotes
from core import freshness
from core.http import file_response
from core.links import absolute_url
from courses.models import Cohort, Enrolment
from courses.selectors import cohorts_visible_to, follows_cohorts, teaches_cohort

from .calendar import session_calendar
from .forms import FeedbackForm, SessionForm
from .models import (
    Attendance,
    AttendanceChange,
    CalendarToken,
    Session,
    SessionFeedback,
    Speaker,
)
from .selectors import feedback_report, my_sessions, sessions_visible_to, trainee_sessions
from .services import (
    CheckinError,
    calendar_token,
    calendar_token_reset,
    checkin,
    checkin_code,
    checkin_enrolment,
    checkin_open,
    feedback_enrolment,
    feedback_leave,
    feedback_refusal,
    mark_all_present,
    overlapping,
    register_update,
    sessions_create,
)


def _zone(cohort: Cohort) -> ZoneInfo:
    return ZoneInfo(cohort.region.time_zone)


@login_required
def my_schedule(request):
    now = timezone.now()
    user = request.user
    staff = follows_cohorts(user)
    # A trainee's schedule is kept until their facts or the sessions change (core.freshness);
    # the staff's shows every cohort they follow, and is drawn each time.
    drawing = (
        None if staff else freshness.drawing_key(request, "schedule", freshness.trainee(user.pk))
    )
    sessions = my_sessions(user)
    return render(
        request,
        "schedule/my_schedule.html",
        {
            "drawing": drawing,
            "upcoming": sessions.filter(ends_at__gte=now).order_by("starts_at")[:50],
            "past": sessions.filter(ends_at__lt=now).order_by("-starts_at")[:50],
            "feed_url": SimpleLazyObject(
                lambda: absolute_url(
                    reverse("schedule:trainee_feed", args=(calendar_token(user).token,))
                )
            ),
            "staff": staff,
            "nav_follows_cohorts": staff,
        },
    )


@login_required
@require_POST
def reset_feed(request):
    calendar_token_reset(request.user)
    messages.success(request, _("A new calendar link is made; the old one no longer works."))
    return redirect("schedule:mine")


@login_required
def cohort_schedule(request, pk: int):
    cohort = get_object_or_404(cohorts_visible_to(request.user), pk=pk)
    token = calendar_token(request.user)
    return render(
        request,
        "schedule/cohort_schedule.html",
        {
            "cohort": cohort,
            "sessions": cohort.sessions.order_by("starts_at").prefetch_related("speakers"),
            "can_schedule": teaches_cohort(request.user, cohort),
            "feed_url": absolute_url(
                reverse("schedule:cohort_feed", args=(token.token, cohort.pk))
            ),
            "zone": cohort.region.time_zone,
        },
    )


def _session_form_view(request, cohort: Cohort, session: Session | None):
    if not teaches_cohort(request.user, cohort):
        raise PermissionDenied
    with timezone.override(_zone(cohort)):
        form = SessionForm(request.POST or None, instance=session, cohort=cohort)
        if request.method == "POST" and form.is_valid():
            if session is None:
                try:
                    created = sessions_create(
                        session=form.save(commit=False),
                        speakers=form.cleaned_data["speakers"],
                        materials=form.cleaned_data["materials"],
                        weeks=form.cleaned_data["weeks"],
                    )
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    _warn_overlaps(request, created)
                    return redirect("schedule:cohort", pk=cohort.pk)
            else:
                saved = form.save()
                _warn_overlaps(request, [saved])
                return redirect("schedule:session", pk=saved.pk)
        return render(
            request,
            "schedule/session_form.html",
            {"form": form, "cohort": cohort, "session": session, "zone": cohort.region.time_zone},
        )


def _warn_overlaps(request, sessions: list[Session]) -> None:
    messages.success(request, _("Sessions saved: %(count)s.") % {"count": len(sessions)})
    for session in sessions:
        for other in overlapping(session):
            messages.warning(
                request,
                _("«%(topic)s» overlaps «%(other)s» in this cohort.")
                % {"topic": inner_quotes(session.topic), "other": inner_quotes(other.topic)},
            )


@login_required
def session_create(request, pk: int):
    cohort = get_object_or_404(cohorts_visible_to(request.user).select_related("region"), pk=pk)
    return _session_form_view(request, cohort, None)


def _visible_session(user, pk: int) -> Session:
    session = sessions_visible_to(user).filter(pk=pk).first()
    if session is None:
        raise Http404
    return session


@login_required
def session_edit(request, pk: int):
    session = _visible_session(request.user, pk)
    return _session_form_view(request, session.cohort, session)


@login_required
def session_detail(request, pk: int):
    session = _visible_session(request.user, pk)
    teaches = teaches_cohort(request.user, session.cohort)
    context = {
        "session": session,
        "zone": session.cohort.region.time_zone,
        "teaches": teaches,
        "speakers": session.speakers.all(),
        "materials": session.materials.all(),
        "staff": follows_cohorts(request.user),
    }
    if context["staff"]:
        marks = {item.enrolment_id: item for item in session.attendance.all()}
        context["register"] = [
            (enrolment, marks.get(enrolment.pk))
            for enrolment in session.cohort.enrolments.exclude(status=Enrolment.Status.WITHDRAWN)
            .select_related("trainee")
            .order_by("trainee__last_name", "trainee__first_name")
        ]
        context["statuses"] = Attendance.Status.choices
        context["report"] = feedback_report(Session.objects.filter(pk=session.pk))
        context["changes"] = (
            AttendanceChange.objects.filter(attendance__session=session)
            .select_related("attendance__enrolment__trainee", "changed_by")
            .order_by("-changed_at")[:30]
        )
    else:
        enrolment = feedback_enrolment(request.user, session)
        mine = session.attendance.filter(enrolment=enrolment).first() if enrolment else None
        context["mine"] = mine
        context["feedback_given"] = SessionFeedback.objects.filter(
            session=session, enrolment=enrolment
        ).exists()
        context["can_rate"] = not context["feedback_given"] and not feedback_refusal(
            enrolment=enrolment, attendance=mine, session=session, now=timezone.now()
        )
        context["feedback_form"] = FeedbackForm()
    return render(request, "schedule/session_detail.html", context)


def _refused(request, session: Session, errors: list[str]):
    """The session page again, with why the request was refused, as a 400: nothing changed."""
    for error in errors:
        messages.error(request, error)
    response = session_detail(request, session.pk)
    response.status_code = 400
    return response


@login_required
@require_POST
def register_save(request, pk: int):
    session = _visible_session(request.user, pk)
    if not teaches_cohort(request.user, session.cohort):
        raise PermissionDenied
    marks = {
        key.removeprefix("status-"): value
        for key, value in request.POST.items()
        if key.startswith("status-")
    }
    try:
        changed = register_update(session=session, marks=marks, by=request.user)
    except ValidationError as error:
        return _refused(request, session, error.messages)
    messages.success(request, _("Register saved: %(count)s marks changed.") % {"count": changed})
    return redirect("schedule:session", pk=session.pk)


@login_required
@require_POST
def register_all_present(request, pk: int):
    session = _visible_session(request.user, pk)
    if not teaches_cohort(request.user, session.cohort):
        raise PermissionDenied
    count = mark_all_present(session=session, by=request.user)
    messages.success(request, _("Marked present: %(count)s.") % {"count": count})
    return redirect("schedule:session", pk=session.pk)


@login_required
def checkin_screen(request, pk: int):
    """The QR code the instructor shows in the room; the page renews it every 20 seconds."""
    session = _visible_session(request.user, pk)
    if not teaches_cohort(request.user, session.cohort):
        raise PermissionDenied
    now = timezone.now()
    is_open = checkin_open(session, now)
    qr = url = None
    if is_open:
        url = absolute_url(
            reverse("schedule:checkin", args=(session.pk, checkin_code(session, now)))
        )
        qr = segno.make(url, error="m").svg_inline(omitsize=True, dark="#000", light="#fff")
    return render(
        request,
        "schedule/checkin_screen.html",
        {"session": session, "open": is_open, "qr": qr, "url": url},
    )


@login_required
def checkin_confirm(request, pk: int, code: str):
    """Scanning the QR opens this page; the trainee confirms with one tap (a POST)."""
    session = get_object_or_404(Session.objects.select_related("cohort"), pk=pk)
    if request.method == "POST":
        try:
            mark = checkin(user=request.user, session=session, code=code)
        except CheckinError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("You are marked: %(status)s.") % {"status": mark.get_status_display().lower()},
            )
            return redirect("schedule:session", pk=session.pk)
    elif checkin_enrolment(request.user, session) is None:
        raise PermissionDenied
    return render(request, "schedule/checkin_confirm.html", {"session": session, "code": code})


@login_required
@require_POST
def feedback_save(request, pk: int):
    session = get_object_or_404(trainee_sessions(request.user), pk=pk)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        # The form's own words, field by field: no rating chosen, a comment too long.
        for name, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{form.fields[name].label}: {error}")
    else:
        try:
            feedback_leave(
                user=request.user,
                session=session,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Thank you for your feedback."))
    return redirect("schedule:session", pk=session.pk)


@login_required
def speaker_report(request, pk: int):
    if not follows_cohorts(request.user):
        raise PermissionDenied
    speaker = get_object_or_404(Speaker, pk=pk)
    sessions = sessions_visible_to(request.user).filter(speakers=speaker).order_by("starts_at")
    return render(
        request,
        "schedule/speaker_report.html",
        {"speaker": speaker, "sessions": sessions, "report": feedback_report(sessions)},
    )


def _feed_owner(token: str):
    owner = CalendarToken.objects.select_related("user").filter(token=token).first()
    if owner is None or not owner.user.is_active:
        raise Http404
    return owner.user


def _ics(content: bytes, name: str):
    return file_response(name, "text/calendar; charset=utf-8", content, inline=True)


def trainee_feed(request, token: str):
    """The user's own schedule as a calendar feed; the token in the address is the key."""
    user = _feed_owner(token)
    return _ics(session_calendar(my_sessions(user), name=_("My sessions")), "sessions.ics")


def cohort_feed(request, token: str, pk: int):
    user = _feed_owner(token)
    cohort = get_object_or_404(cohorts_visible_to(user), pk=pk)
    return _ics(session_calendar(cohort.sessions.all(), name=cohort.name), f"cohort-{pk}.ics")
