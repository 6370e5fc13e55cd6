"""The named placeholders a certificate template's text may hold, and their check.

One list, read by the template's validation, the admin's help text, the preview's sample data
and the renderer, so that a placeholder the admin accepts is always one the PDF can fill.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from django.utils.functional import lazy
from django.utils.translation import gettext
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
    """Text that is not a valid template: `field` is the offending `{…}` as typed, or empty for
    an unbalanced brace."""

    def __init__(self, field: str = ""):
        super().__init__(field)
        self.field = field


@dataclass(frozen=True)
class _Field:
    literal: str  # the text before the field, with doubled braces made single
    name: str | None  # None after the last field
    typed: str  # the field as typed, braces included
    plain: bool  # a bare `{identifier}`: no attribute, index, conversion or format spec


def _fields(text: str) -> list[_Field]:
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as error:
        raise PlaceholderError() from error
    fields = []
    for literal, name, spec, conversion in parsed:
        if name is None:
            fields.append(_Field(literal, None, "", True))
            continue
        typed = "{" + name + (f"!{conversion}" if conversion else "")
        typed += (f":{spec}" if spec else "") + "}"
        fields.append(
            _Field(literal, name, typed, name.isidentifier() and not spec and not conversion)
        )
    return fields


def placeholders_in(text: str) -> list[str]:
    """The placeholder names `text` uses, in order; raises PlaceholderError if it is malformed.

    Only plain `{name}` is allowed: no attribute access, indexing, conversion or format spec,
    which could reach into the objects behind the values.
    """
    names = []
    for field in _fields(text):
        if field.name is None:
            continue
        if not field.plain:
            raise PlaceholderError(field.typed)
        names.append(field.name)
    return names


def allowed_list() -> str:
    return ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)


def placeholder_error(text: str) -> str | None:
    """Why `text` cannot be a certificate's text, in the editor's words, or None if it can.

    The message names the offending placeholder and lists the allowed ones, so that the editor
    can fix it without looking anything up.
    """
    try:
        names = placeholders_in(text)
    except PlaceholderError as error:
        if not error.field:
            return gettext(
                "A curly brace is not closed or not opened. Placeholders are written as "
                "{name}; to print a brace itself, double it: {{ or }}. Allowed placeholders: "
                "%(allowed)s."
            ) % {"allowed": allowed_list()}
        return gettext(
            "The placeholder %(field)s is written wrongly: only a name in curly braces is "
            "allowed, such as {full_name}. Allowed placeholders: %(allowed)s."
        ) % {"field": error.field, "allowed": allowed_list()}
    unknown = [name for name in dict.fromkeys(names) if name not in PLACEHOLDERS]
    if unknown:
        return gettext("Unknown placeholder: %(unknown)s. Allowed placeholders: %(allowed)s.") % {
            "unknown": ", ".join(f"{{{name}}}" for name in unknown),
            "allowed": allowed_list(),
        }
    return None


def _help_text(intro: str = "") -> str:
    listed = "; ".join(f"{{{name}}} — {label}" for name, label in PLACEHOLDERS.items())
    return f"{intro} {gettext('Placeholders:')} {listed}.".strip()


# The list of placeholders with what each prints, for the admin's help texts; lazy, so that it
# is written in the language of the request that shows it.
help_text = lazy(_help_text, str)


def fill(text: str, values: dict[str, str]) -> str:
    """`text` with every placeholder replaced; braces doubled in the text print single.

    Never raises: a name it does not know, or a malformed field, prints as typed, and text that
    does not parse prints unchanged (rows saved before the check existed may hold such text).
    """
    try:
        fields = _fields(text)
    except PlaceholderError:
        return text
    parts = []
    for field in fields:
        parts.append(field.literal)
        if field.name is None:
            continue
        if field.plain and field.name in PLACEHOLDERS:
            parts.append(str(values.get(field.name, "")))
        else:
            parts.append(field.typed)
    return "".join(parts)
