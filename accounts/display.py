"""How the school's facts are written for people: a region's time zone as Russians say it
(«по московскому времени», «по времени UTC+5 (МСК+2)»; never `Asia/Yekaterinburg`), and a name
quoted inside quotation marks («Тест „Круг поддержки“»).

Every page, e-mail and notification that shows a time zone or quotes a title goes through these,
so that the wording is decided once.
"""

import datetime as dt
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone
from django.utils.translation import gettext as _

MOSCOW = ZoneInfo("Europe/Moscow")
MINUS = "\u2212"  # a real minus sign: «МСК−1», as Russian typography writes it


def _signed_hours(offset: dt.timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else MINUS
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours}" + (f":{rest:02d}" if rest else "")


def zone_label(name: str, at: dt.datetime | None = None) -> str:
    """A time zone as people say it, at the moment `at` (now by default): «по московскому
    времени» for every zone that keeps Moscow's time then, else its offset from UTC and from
    Moscow («по времени UTC+5 (МСК+2)»). Offsets are read at that moment, since a region may
    change its time (Volgograd moved to Moscow's in 2020). A name that is not a time zone is
    shown as it is."""
    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return name
    at = at or timezone.now()
    offset = at.astimezone(zone).utcoffset()
    moscow = at.astimezone(MOSCOW).utcoffset()
    if offset == moscow:
        return _("in Moscow time")
    return _("in UTC%(utc)s (Moscow time %(moscow)s)") % {
        "utc": _signed_hours(offset),
        "moscow": _signed_hours(offset - moscow),
    }


_STRAIGHT_PAIR = re.compile(r'"([^"]*)"')


def inner_quotes(value: str) -> str:
    """A value to be put inside «…»: its own quotation marks become the inner ones, „…“, as
    Russian typography nests them («Тест „Круг поддержки“», not «Тест «Круг поддержки»»)."""
    text = str(value)
    text = _STRAIGHT_PAIR.sub("„\\1“", text)
    return text.replace("«", "„").replace("»", "“")
