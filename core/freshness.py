"""The parts of a person's pages drawn once and kept until a write changes what they show.

Most of what a trainee's page costs is drawing the same facts again: the programme's tree, their
progress, grades and sessions, none of which changed since the last request. A page's main part
is therefore kept (`{% drawn key %}`, `core.templatetags.drawn`) under a key made of everything
it is drawn from (`drawing_key`): who asks, the address, the language, the CSRF secret its forms
carry — and the *versions* of the facts, by scope:

- `trainee(user_id)`: one person's own facts — enrolments, progress, attempts, case work,
  grades, attendance, certificates, inbox, profile;
- `cohort(cohort_id)`: the same facts of a cohort's people together (the staff's pages);
- `SCHOOL`: everything else — the curriculum, cohorts, sessions, speakers, regions, roles.

Every write to a model of ours (and Wagtail's pages, images, documents, and auth's groups) bumps
the scopes it touches (`connect()`, at start-up): what a model's `freshness_scopes()` names, or
`SCHOOL` for a model that names none. A kept part drawn from older facts is then under a key no
one asks for again. It can never be shown stale, because:

- the versions are read before the facts (`drawing_key` runs before the page's facts are
  loaded, which are lazy), so what is kept under a version is at least as new as it;
- a write bumps its scopes at once *and* again after its transaction commits: a page drawn
  between the two from the facts before the commit is kept under a version already replaced;
- a version lost from the cache (evicted, a restarted Redis) comes back as a new random value,
  never as an old one.

Writes that bypass `save()` (a conditional `queryset.update()`) call `bump()` themselves. What
changes with the clock alone (a session starting, a deadline passing) is seen within
`PAGE_CACHE_SECONDS`, how long a drawing is kept.

The versions live in the default cache — Redis in production, shared by every worker, which is
what makes a bump seen by all; hence production keeps pages only with `REDIS_URL` set. The
drawings live in each process's memory (the `drawings` cache): never shared, so that a new
release's templates never meet a drawing of the previous one.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections import OrderedDict

from django.apps import apps
from django.conf import settings
from django.core.cache import cache, caches
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.middleware.csrf import get_token

from .fragments import data_key

SCHOOL = "school"
# Every certificate together: what the public verification pages show, by code.
CERTIFICATES = "certificates"
# Apps whose every model is heard; our own apps are added from settings at connect().
WATCHED_APPS = {"wagtailcore", "wagtailimages", "wagtaildocs", "auth"}
# Written as pages are served or as the work of others goes on, never shown on a kept part:
# hearing them would only throw the drawings away.
UNWATCHED_MODELS = {
    "wagtailimages.rendition",
    "wagtailcore.revision",
    "wagtailcore.pagelogentry",
    "wagtailcore.modellogentry",
    "wagtailcore.workflowstate",
    "wagtailcore.taskstate",
    "wagtailcore.pagesubscription",
}
_VERSION = "fresh:v:{}"
logger = logging.getLogger(__name__)
_state = threading.local()


class NotShown:
    """A model no kept part shows — a log, a rollup the dashboards draw by its data: writing it
    bumps nothing (it would only throw drawings away)."""

    def freshness_scopes(self) -> list[str]:
        return []


def trainee(user_id: int) -> str:
    return f"trainee:{user_id}"


def cohort(cohort_id: int) -> str:
    return f"cohort:{cohort_id}"


def enrolment_scopes(trainee_id: int, cohort_id: int) -> list[str]:
    """What a write about one enrolment touches: its trainee's pages and its cohort's."""
    return [trainee(trainee_id), cohort(cohort_id)]


def versions(scopes) -> tuple[str, ...] | None:
    """The current version of each scope, in one round trip when they are all known; None when
    the shared cache does not answer (then nothing is kept: every page is drawn afresh).

    Within a request (`FreshnessMiddleware`) a version read once is remembered for the rest of
    it — and replaced when this request bumps it: a request sees the versions of its start and
    its own writes, as it sees the facts."""
    keys = [_VERSION.format(scope) for scope in scopes]
    memo = getattr(_state, "memo", None)
    found = {key: memo[key] for key in keys if key in memo} if memo is not None else {}
    wanted = [key for key in keys if key not in found]
    if wanted:
        try:
            found.update(cache.get_many(wanted))
            missing = [key for key in wanted if key not in found]
            if missing:
                for key in missing:
                    cache.add(key, secrets.token_hex(8), timeout=None)  # new, never an old one
                found.update(cache.get_many(missing))
        except Exception:
            logger.warning("The shared cache does not answer: pages are drawn afresh.")
            return None
        if memo is not None:
            memo.update((key, found[key]) for key in wanted if key in found)
    return tuple(found.get(key, "") for key in keys)


def _set(scopes) -> None:
    values = {_VERSION.format(scope): secrets.token_hex(8) for scope in scopes}
    try:
        cache.set_many(values, None)
    except Exception:
        # The write itself stands: what was kept before it lives PAGE_CACHE_SECONDS at most.
        logger.exception("Could not bump %s in the shared cache.", ", ".join(sorted(scopes)))
    memo = getattr(_state, "memo", None)
    if memo is not None:
        memo.update(values)


class FreshnessMiddleware:
    """Remembers the versions read during one request (see `versions`), and forgets them after."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        _state.memo = {}
        try:
            return self.get_response(request)
        finally:
            _state.memo = None


class _Pending:
    """The scopes bumped in the current transaction, bumped again once it commits."""

    def __init__(self):
        self.scopes: set[str] = set()

    def flush(self) -> None:
        if getattr(_state, "pending", None) is self:
            _state.pending = None
        _set(self.scopes)


def _pending() -> _Pending | None:
    if not connection.in_atomic_block:
        return None
    pending = getattr(_state, "pending", None)
    # A rollback discards our on-commit callback: a collection whose callback is gone is over.
    if pending is not None and any(entry[1] == pending.flush for entry in connection.run_on_commit):
        return pending
    pending = _state.pending = _Pending()
    transaction.on_commit(pending.flush)
    return pending


def bump(*scopes: str) -> None:
    """Make every kept drawing of `scopes` unreachable: now, and again after the commit.

    Now at every write, even of a scope already bumped in this transaction: a page drawn inside
    the transaction between two writes has seen the first and not the second."""
    if not scopes:
        return
    _set(scopes)
    pending = _pending()
    if pending is not None:
        pending.scopes.update(scopes)


def drawing_key(request, name: str, *scopes: str, vary=(), forms: bool = True) -> str | None:
    """The key a page's part `name` is kept under for this request, or None when it must be
    drawn afresh (keeping is off, or the request is not a GET).

    Call it before loading the facts the part shows. `SCHOOL` is always among the scopes;
    `vary` is anything else the part depends on. A part with forms is kept per CSRF secret (the
    token its forms carry); one without (`forms=False`) is the same for every visitor who asks."""
    if not settings.PAGE_CACHE_SECONDS or request.method != "GET":
        return None
    stamps = versions((SCHOOL, *scopes))
    if stamps is None:
        return None
    secret = ""
    if forms:
        get_token(request)  # the forms' CSRF secret exists before it is part of the key
        secret = request.META.get("CSRF_COOKIE", "")
    return "drawn:" + data_key(name, request.user.pk, request.get_full_path(), secret, stamps, vary)


def drawings():
    return caches["drawings"]


_ABSENT = object()


def remembered(name, scopes, compute):
    """A small value computed from the facts of `scopes` (and `SCHOOL`) — the page an address
    leads to, whether a person may open a programme, their roles — kept in this process until
    those facts change, or `PAGE_CACHE_SECONDS` pass. `name` says what it is and of whom; the
    value must be picklable, and is a copy each time."""
    stamps = versions((SCHOOL, *scopes)) if settings.PAGE_CACHE_SECONDS else None
    if stamps is None:
        return compute()
    key = "remembered:" + data_key(name, stamps)
    value = drawings().get(key, _ABSENT)
    if value is _ABSENT:
        value = compute()
        drawings().set(key, value)
    return value


_held: OrderedDict[str, tuple[float, object]] = OrderedDict()
_held_lock = threading.Lock()
HELD_MAX = 500


def held(name, scopes, compute):
    """As `remembered`, but the very object is kept in this process and handed to every request
    that asks, neither copied nor unpickled: only for values nobody changes once read (a quiz's
    page and its questions, read at every save of every attempt). At most `HELD_MAX` values,
    the least recently asked dropped first; each for `PAGE_CACHE_SECONDS` at most."""
    stamps = versions((SCHOOL, *scopes)) if settings.PAGE_CACHE_SECONDS else None
    if stamps is None:
        return compute()
    key = data_key(name, stamps)
    now = time.monotonic()
    with _held_lock:
        found = _held.get(key)
        if found is not None and found[0] > now:
            _held.move_to_end(key)
            return found[1]
    value = compute()
    with _held_lock:
        _held[key] = (now + settings.PAGE_CACHE_SECONDS, value)
        _held.move_to_end(key)
        while len(_held) > HELD_MAX:
            _held.popitem(last=False)
    return value


# Hearing the writes ------------------------------------------------------------------------


def scopes_of(instance) -> list[str]:
    named = getattr(instance, "freshness_scopes", None)
    return list(named()) if named is not None else [SCHOOL]


def _on_write(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):
        return  # fixtures being loaded
    bump(*scopes_of(instance))


def _on_m2m(sender, instance, **kwargs) -> None:
    if kwargs.get("action", "").startswith("post_"):
        bump(*scopes_of(instance))


def watched_models():
    ours = {app.split(".")[0] for app in settings.LOCAL_APPS}
    for model in apps.get_models():
        meta = model._meta
        if meta.app_label in ours | WATCHED_APPS and meta.label_lower not in UNWATCHED_MODELS:
            yield model


def connect() -> None:
    for model in watched_models():
        uid = f"core.freshness:{model._meta.label_lower}"
        post_save.connect(_on_write, sender=model, dispatch_uid=uid)
        post_delete.connect(_on_write, sender=model, dispatch_uid=uid)
    m2m_changed.connect(_on_m2m, dispatch_uid="core.freshness:m2m")
