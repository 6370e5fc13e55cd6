"""Rendered parts of a page kept per exact data, so that a kept one can never be out of date.

A wide table drawn by Django's templates costs milliseconds (the federal dashboard's 85 regions
× 11 figures, its chart's data table): more than loading its figures. The page wraps such a part
in Django's own `{% cache %}` tag, varied on `data_key(...)` of everything the part is drawn from
— the language, the address's filters, the rows' figures themselves. Other figures are another
key, hence another drawing: nothing to invalidate, nothing stale.

The drawings go to the `template_fragments` cache (`lms/settings/base.py`): local memory in each
process, never shared, so that a new release's templates and translations never meet a drawing
made by the previous one.
"""

from __future__ import annotations

import hashlib
import io
import pickle

from django.db import models
from django.utils.translation import get_language


class _ValuesPickler(pickle.Pickler):
    """Pickles model instances and dataclasses as their values alone.

    Their own way (`Model.__reduce__`, `copyreg`) copies each instance's state and its related
    objects' in Python and took a millisecond for a region's rows: more than drawing them. Here a
    model instance is its class, every attribute (fields and annotations) and the related objects
    loaded with it; a dataclass its class and attributes. Equal data, equal bytes: a key only."""

    def reducer_override(self, obj):
        if isinstance(obj, models.Model):
            values = obj.__dict__.copy()
            state = values.pop("_state", None)
            related = state.fields_cache if state is not None else {}
            return tuple, ((obj._meta.label, values, related),)
        if hasattr(type(obj), "__dataclass_fields__") and hasattr(obj, "__dict__"):
            return tuple, ((type(obj).__qualname__, obj.__dict__),)
        return NotImplemented


def data_key(*parts) -> str:
    """A short key that differs whenever any of `parts` (or the active language) differs.

    `parts` are data — numbers, strings, dates, Decimals, lists, tuples, dataclasses and model
    instances of them — pickled, so that a row's every field counts without being named here:
    a row drawn with a field more is keyed by it too."""
    buffer = io.BytesIO()
    _ValuesPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump((get_language(), parts))
    return hashlib.blake2b(buffer.getbuffer(), digest_size=20).hexdigest()
