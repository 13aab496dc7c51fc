"""Times as a Chinese reader writes them, in the evaluator's time zone: 2026年11月25日 16:27.

Which zone: ``XTEVAL_TZ`` when set, else ``TZ``, else the system's zone
(``/etc/localtime``) unless that is UTC, else Asia/Shanghai. UTC is what a
server or container ships with when nobody chose a zone; the readers of these
appendices are finance bureaus in China, so an unset zone means 北京时间, not
Greenwich. ``tzdata`` (a dependency) supplies the zone database on machines
that have none (Windows). Light imports only: the batch index uses this.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from pathlib import Path

DEFAULT_ZONE = "Asia/Shanghai"
_UTC_NAMES = {"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Universal", "Zulu", "Etc/Universal", "Etc/Zulu", "GMT", "Etc/GMT"}


@functools.cache
def zone_name() -> str:
    """The IANA name of the evaluator's time zone (see the module docstring for the order)."""
    for var in ("XTEVAL_TZ", "TZ"):
        name = os.environ.get(var, "").strip().lstrip(":")
        if name and _valid(name):
            return name
    try:
        target = str(Path("/etc/localtime").resolve())
    except OSError:
        target = ""
    if "zoneinfo/" in target:
        name = target.split("zoneinfo/", 1)[1]
        if name not in _UTC_NAMES and _valid(name):
            return name
    return DEFAULT_ZONE


def _valid(name: str) -> bool:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def zone():
    """The evaluator's time zone as a ``ZoneInfo``."""
    from zoneinfo import ZoneInfo

    return ZoneInfo(zone_name())


def _local(value: str | dt.datetime) -> dt.datetime | None:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    if value.tzinfo is None:
        value = value.astimezone()  # a naive time is the machine's local time
    return value.astimezone(zone())


def show_time(value: str | dt.datetime | None, *, clock: bool = True) -> str:
    """``2026-11-25T08:27:16+00:00`` → ``2026年11月25日 16:27`` (in the evaluator's zone); '' for nothing.

    Args:
        value: an ISO time (with its offset) or a datetime.
        clock: False for the day only (``2026年11月25日``).

    A text that is not an ISO time is returned as it is: a page shows what it
    was given rather than failing on an old record.
    """
    if not value:
        return ""
    local = _local(value)
    if local is None:
        return str(value)
    day = f"{local.year}年{local.month}月{local.day}日"
    return f"{day} {local:%H:%M}" if clock else day


def show_date(value: str | dt.date | None) -> str:
    """``2024-03-31`` (or a date) → ``2024年3月31日``; other text is returned as it is."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        value = value.astimezone(zone()).date()
    return f"{value.year}年{value.month}月{value.day}日"


def today() -> dt.date:
    """Today in the evaluator's zone."""
    return dt.datetime.now(zone()).date()
