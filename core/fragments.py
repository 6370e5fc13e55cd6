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
import pickle

from django.utils.translation import get_language


def data_key(*parts) -> str:
    """A short key that differs whenever any of `parts` (or the active language) differs.

    `parts` are plain data — numbers, strings, dates, Decimals, tuples and dataclasses of them —
    pickled, so that a row's every field counts without being named here; pickling is done in C
    and takes a fraction of what drawing the same rows does."""
    payload = pickle.dumps((get_language(), parts), protocol=pickle.HIGHEST_PROTOCOL)
    return hashlib.blake2b(payload, digest_size=20).hexdigest()
