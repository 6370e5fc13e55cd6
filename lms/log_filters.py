"""Logging filters of the project (referenced from LOGGING in the settings)."""

from __future__ import annotations

import logging


class ForbiddenInOneLine(logging.Filter):
    """A refused request (403) is logged as one line, without a traceback.

    A 403 is an everyday event (a trainee opening a staff page, an expired form), not a fault,
    yet Django logs `PermissionDenied` with its traceback. (Django already escapes control
    characters in the path, so the message itself stays one line.)
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True
