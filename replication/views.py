"""The catalogue of programmes on the site, for federal officials and authors."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .access import may_see_catalogue
from .catalogue import catalogue as catalogue_rows


@require_safe
@login_required
def catalogue(request):
    if not may_see_catalogue(request.user):
        raise PermissionDenied
    return render(request, "replication/catalogue.html", {"rows": catalogue_rows()})
