"""Keys for the dashboards' parts drawn once per exact data (see `core.fragments`)."""

from __future__ import annotations

from django import template

from core.fragments import data_key

register = template.Library()


@register.simple_tag
def filter_form_key(form, *parts) -> str:
    """The key of the filters' drawing: what the official typed, what is wrong with it, every
    field's choices (the programmes' titles as they are now) and classes, and `parts` (the sort
    and the reset address). Drawing the form's four widgets through Django's widget templates
    took a millisecond of every dashboard."""
    fields = [
        (name, field.widget.attrs, list(getattr(field, "choices", ())))
        for name, field in form.fields.items()
    ]
    return data_key(dict(form.data), form.errors.get_json_data(), fields, *parts)
