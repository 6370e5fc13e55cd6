"""Signals the courses app and the apps above it send for listeners higher up.

`figures_changed` is for writes that bypass `save()` (a conditional `queryset.update()`, a
`bulk_create`) and so send no `post_save`: whoever keeps figures about cohorts (the dashboards'
rollups) learns from it which cohorts or enrolments changed, without this app knowing who
listens. Sent with `cohort_ids` and/or `enrolment_ids` (iterables of ints).
"""

from django.dispatch import Signal

figures_changed = Signal()
