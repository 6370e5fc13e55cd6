"""The bulk-issuance panel on the cohort page (a courses template, which cannot import us)."""

from __future__ import annotations

from django import template
from django.db.models import Count, Q

from ..models import BatchItem
from ..selectors import (
    can_issue_certificates,
    cohort_certificate_count,
    is_stalled,
    latest_batch,
)

register = template.Library()


@register.inclusion_tag("certificates/includes/batch_panel.html", takes_context=True)
def certificate_batch_panel(context, cohort):
    """For those who issue the cohort's certificates: how many it has, the latest batch's state
    and the button that starts (or resumes) one. Nothing for anyone else."""
    user = context["request"].user
    if not can_issue_certificates(user, cohort):
        return {"show": False}
    batch = latest_batch(cohort)
    counts = None
    if batch is not None:
        counts = batch.items.aggregate(
            total=Count("pk"),
            finished=Count("pk", filter=Q(state__in=BatchItem.FINISHED)),
            failed=Count("pk", filter=Q(state=BatchItem.State.FAILED)),
        )
    return {
        "show": True,
        "cohort": cohort,
        "issued": cohort_certificate_count(cohort),
        "batch": batch,
        "counts": counts,
        "stalled": batch is not None and is_stalled(batch),
        "csrf_token": context.get("csrf_token"),
    }
