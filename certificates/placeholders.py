"""The named placeholders a certificate template's text may hold, and their check.

One list, read by the template's validation, the admin's help text, the preview's sample data
and the renderer, so that a placeholder the admin accepts is always one the PDF can fill.
"""

from __future__ import annotations

import string

from django.utils.translation import gettext_lazy as _

PLACEHOLDERS = {
    "full_name": _("the holder's full name"),
    "last_name": _("last name"),
    "first_name": _("first name"),
    "patronymic": _("patronymic"),
    "program": _("the programme's title"),
    "kind": _("the kind of document"),
    "total_hours": _("academic hours in all"),
    "practice_hours": _("academic hours of practice"),
    "studied_from": _("first day of study"),
    "studied_to": _("last day of study"),
    "region": _("the region"),
    "organisation": _("the issuing organisation"),
    "city": _("the city"),
    "serial": _("the serial"),
    "registration_number": _("the registration number"),
    "issued_on": _("the date of issue"),
    "expires_on": _("valid until"),
}


class PlaceholderError(ValueError):
    pass


def placeholders_in(text: str) -> list[str]:
    """The placeholder names `text` uses, in order; raises PlaceholderError if it is malformed.

    Only plain `{name}` is allowed: no attribute access, indexing, conversion or format spec,
    which could reach into the objects behind the values.
    """
    names = []
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as error:
        raise PlaceholderError(str(error)) from error
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise PlaceholderError(name)
        names.append(name)
    return names


def unknown_placeholders(text: str) -> list[str]:
    """Names in `text` that are not placeholders (malformed fields count as unknown)."""
    try:
        names = placeholders_in(text)
    except PlaceholderError as error:
        return [str(error) or "{}"]
    return [name for name in dict.fromkeys(names) if name not in PLACEHOLDERS]


def fill(text: str, values: dict[str, str]) -> str:
    """`text` with every placeholder replaced; braces doubled in the text print single."""
    return text.format_map({name: values.get(name, "") for name in PLACEHOLDERS})
