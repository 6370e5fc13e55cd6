from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .selectors import inbox
from .services import mark_all_read, mark_read


@login_required
def notification_list(request):
    page = Paginator(inbox(user=request.user), 25).get_page(request.GET.get("page"))
    return render(request, "notifications/notification_list.html", {"page_obj": page})


@login_required
def notification_open(request, pk: int):
    """Mark the message read and follow its link (only ever to this site)."""
    notification = get_object_or_404(inbox(user=request.user), pk=pk)
    mark_read(notification=notification)
    if notification.url and url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}
    ):
        return redirect(notification.url)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request):
    mark_all_read(recipient=request.user)
    return redirect("notifications:list")
