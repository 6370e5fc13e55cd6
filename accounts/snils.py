"""СНИЛС, the pension insurance number the federal register of education documents asks for.

Stored as its 11 digits, shown as 123-456-789 01. The last two digits are a checksum of the
first nine (the Pension Fund's rule); numbers up to 001-001-998 were issued before the rule and
are not checked.
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s\-]")
_UNCHECKED_UP_TO = 1001998


def snils_checksum(first_nine: str) -> int:
    """The check number of the first nine digits: each digit times its weight 9…1, summed;
    under 100 that sum, 100 and 101 give 0, above that the sum mod 101 (100 again gives 0)."""
    total = sum(
        int(digit) * weight for digit, weight in zip(first_nine, range(9, 0, -1), strict=True)
    )
    if total < 100:
        return total
    return total % 101 % 100


def normalise_snils(value: str) -> str | None:
    """The 11 digits of a valid СНИЛС written with or without spaces and hyphens, else None."""
    digits = _SEPARATORS.sub("", value or "")
    # [0-9], not \d: \d also matches other scripts' digits (１, ١), which int() reads but the
    # federal register does not.
    if not re.fullmatch(r"[0-9]{11}", digits) or int(digits[:9]) == 0:
        return None
    if int(digits[:9]) > _UNCHECKED_UP_TO and snils_checksum(digits[:9]) != int(digits[9:]):
        return None
    return digits


def format_snils(digits: str) -> str:
    """123-456-789 01, as the register and the Pension Fund write it; '' when there is none."""
    if not digits:
        return ""
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:9]} {digits[9:]}"
