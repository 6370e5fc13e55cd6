"""Logging filters of the project (referenced from LOGGING in the settings)."""

from __future__ import annotations

import logging
import re

CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


class ForbiddenInOneLine(logging.Filter):
    """A refused request (403) is an everyday event, not a fault: log it as one line.

    Django logs `PermissionDenied` with its traceback; here a 403 record loses the traceback, and
    its message is rendered with control characters escaped, so that a path holding an encoded
    line break (`%0A`) cannot forge a second log line.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
            message = record.getMessage()
            record.msg = CONTROL_CHARACTERS.sub(lambda match: f"\\x{ord(match[0]):02x}", message)
            record.args = ()
        return True
