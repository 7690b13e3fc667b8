"""Human-friendly time spans shared by the integrations' answers."""

from __future__ import annotations

from datetime import UTC, datetime


def ago(moment: datetime | None, now: datetime | None = None) -> str | None:
    """A short age: 45s, 12m, 3h 5m, 2d 4h."""
    if moment is None:
        return None
    seconds = max(0, int(((now or datetime.now(UTC)) - moment).total_seconds()))
    if seconds < 60:
        return f"{seconds}s"
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if minutes < 60:
        return f"{minutes}m"
    if hours < 24:
        return f"{hours}h {minutes % 60}m" if minutes % 60 else f"{hours}h"
    return f"{days}d {hours % 24}h" if hours % 24 else f"{days}d"


def until(value: str | None, now: datetime | None = None) -> str:
    """An end time as a person reads it: "2026-12-04 12:00 UTC (in 15h)"; text that is no
    ISO time ("always") is returned as it is."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return value
    current = now or datetime.now(UTC)
    left = f" (in {ago(current, moment)})" if moment > current else ""
    return f"{at(moment)}{left}"


def at(moment: datetime) -> str:
    """A moment as a person reads it: "2026-12-04 12:00 UTC"."""
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
