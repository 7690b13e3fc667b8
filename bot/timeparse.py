"""`--since` values: an ISO 8601 time or a span back from now (30m, 1h, 7d, 2w)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from bot.errors import UserError

_SPAN = re.compile(r"^\s*(\d+)\s*(s|m|h|d|w)\s*$", re.I)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(value: str, now: datetime | None = None) -> datetime:
    match = _SPAN.match(value)
    if match:
        amount, unit = int(match.group(1)), match.group(2).lower()
        return (now or datetime.now(UTC)) - timedelta(**{_UNITS[unit]: amount})
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise UserError(f"--since {value!r}: give an ISO 8601 time (2026-12-01T09:00Z) or a span like 1h or 7d.") \
            from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
