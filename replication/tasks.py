"""Background work of the replication kit, run by the Django Tasks worker (`db_worker`)."""

from __future__ import annotations

import logging

from django_tasks import task

from courses.models import ProgramPage

from .exporting import release_of
from .portable import Refused

logger = logging.getLogger(__name__)


@task()
def take_release(program_id: int) -> int | None:
    """Remember an adopted programme as published now, so that its copies see what changed.
    Returns the version (the last one when nothing changed)."""
    program = ProgramPage.objects.filter(pk=program_id).first()
    if program is None or not program.live:
        return None
    try:
        return release_of(program).version
    except Refused as refused:  # its authors see the same reason when they export it
        logger.warning("Programme %s cannot be released: %s", program_id, refused)
        return None
