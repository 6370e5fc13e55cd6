"""HTTP helpers every app uses: safe return addresses and the files we send.

Every generated file (an export, a template, a calendar feed) and every stored file a view hands
out goes through `file_response` / `attachment_headers`, so that all of them carry the same
promises: a name a browser cannot be tricked by, no copy in any cache, no content sniffing.
"""

import re
from urllib.parse import quote

from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from wagtail.coreutils import string_to_ascii


def safe_return_url(request, fallback: str = "/") -> str:
    """Where to send the visitor back: `next`, else the referring page, if it is on this site."""
    target = request.POST.get("next") or request.GET.get("next") or request.META.get("HTTP_REFERER")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(fallback)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"

# Anything but these in a file name becomes a hyphen: no quotes, slashes, spaces or controls.
_UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_HYPHENS = re.compile(r"-{2,}")


def _ascii(text: str) -> str:
    # Transliteration writes the soft and hard signs as quotes: «семья» is "semya", not "sem-ya".
    text = string_to_ascii(text).replace("'", "").replace('"', "")
    return _HYPHENS.sub("-", _UNSAFE_IN_NAME.sub("-", text))


def ascii_file_name(name: str) -> str:
    """The name in ASCII letters (Cyrillic transliterated), safe inside a quoted header value."""
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    stem = _ascii(stem).strip(".-") or "file"
    extension = _ascii(extension).strip(".-")
    return f"{stem}.{extension}" if extension else stem


def content_disposition(name: str, *, inline: bool = False) -> str:
    """RFC 6266: an ASCII `filename` for every client and, when the name is not plain ASCII,
    the exact name as RFC 5987 `filename*` (UTF-8, percent-encoded) for those that read it."""
    disposition = "inline" if inline else "attachment"
    fallback = ascii_file_name(name)
    header = f'{disposition}; filename="{fallback}"'
    if fallback != name:
        header += f"; filename*=UTF-8''{quote(name, safe='')}"
    return header


def attachment_headers(response: HttpResponse, name: str, *, inline: bool = False) -> HttpResponse:
    """The headers every file we send carries; returns the response."""
    response["Content-Disposition"] = content_disposition(name, inline=inline)
    # Exports and uploads hold personal data: no shared or browser cache keeps a copy.
    response["Cache-Control"] = "no-store"
    # The browser must not guess another type (an "image" that is really HTML, say).
    response["X-Content-Type-Options"] = "nosniff"
    return response


def file_response(name: str, content_type: str, content: bytes, *, inline: bool = False):
    """A generated file (export, template, calendar) sent under its own name."""
    return attachment_headers(HttpResponse(content, content_type=content_type), name, inline=inline)
