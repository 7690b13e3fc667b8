"""Time slots: the period a request names, end exclusive, with the phrase that named it.

Fixed calendar periods (this week, last month, Q3, "in october") are computed here, where
the meaning depends on Guardian's conventions (a past "october" asked in June is last
year's); dates and relative phrases dateparser understands ("3 days ago", "since the
3rd", "2025-06-01") go through dateparser, anchored on ``now``.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
                 "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "couple of": 2, "few": 3}
_NUM = r"(\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|twelve|couple of|few)"
_UNIT = r"(min(?:ute)?s?|h(?:ou)?rs?|hours?|h|days?|d|weeks?|wks?|w|months?|mos?)"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = tuple(m.lower() for m in calendar.month_name[1:])
MONTH_ABBR = tuple(m.lower() for m in calendar.month_abbr[1:])
_FUTURE_HINT = re.compile(r"\b(?:next|forecast\w*|project\w*|predict\w*|will|going to|gonna|budget|expect\w*|"
                          r"estimate\w*|on track|on pace)\b")


def _span(start: date, end: date, label: str, since: datetime | None = None) -> dict[str, str]:
    out = {"start": start.isoformat(), "end": end.isoformat(), "label": label.strip()}
    if since is not None:
        out["since"] = since.replace(microsecond=0).isoformat()
    return out


# The words before "last N days" that the period's label drops ("over the last 3 days").
_LEAD_IN = r"(?:within|in|over|for|during|throughout) the "


def _relative_amount(text: str, now: datetime) -> dict[str, str] | None:
    """"last 7 days", "past 3 days", "last 2 weeks", "last hour", "past 30 min", "last 24h";
    a range ("last day or two", "past 2 or 3 days") is read as its wider end. Day and week
    windows are whole days up to today (what Cost Explorer has), and carry the moment they
    start, so an event tool (changes, logs) can run them up to now."""
    text = _widest_of_range(text)
    match = re.search(rf"\b(?:last|past|previous|prev|{_LEAD_IN}last)\s+"
                      rf"(?:{_NUM}\s*)?{_UNIT}\b", text)
    if not match:
        return _fortnights(text, now)
    raw, unit = match.group(1), match.group(2)
    amount = 1 if raw is None else int(raw) if raw.isdigit() else _NUMBER_WORDS[raw]
    today = now.date()
    label = re.sub(rf"^{_LEAD_IN}", "", match.group(0))
    if unit.startswith(("min", "h")):
        delta = timedelta(minutes=amount) if unit.startswith("min") else timedelta(hours=amount)
        since = now - delta
        return _span(since.date(), today + timedelta(days=1), label, since)
    if unit.startswith("d"):
        return _span(today - timedelta(days=amount), today, label, now - timedelta(days=amount))
    # "last week" is the calendar week (_named_period); "the past week", "over the last month"
    # are the rolling seven days or month up to today
    rolling = raw is not None or not match.group(0).startswith(("last", "previous", "prev"))
    if unit.startswith("w"):
        if not rolling:
            return None
        return _span(today - timedelta(days=7 * amount), today, label, now - timedelta(days=7 * amount))
    if not rolling:
        return None
    if raw is None:  # "the past month": thirty days up to today, not since the 1st of the month before
        return _span(today - timedelta(days=30), today, label, now - timedelta(days=30))
    return _span(_add_months(today, -amount), today, label)


def _fortnights(text: str, now: datetime) -> dict[str, str] | None:
    """"the last fortnight", "past 2 fortnights": fourteen days each, up to today (British
    English counts two weeks that way; there is no calendar fortnight to align to)."""
    match = re.search(rf"\b(?:last|past|previous|prev|within the last|in the last|over the last)\s+"
                      rf"(?:{_NUM}\s*)?fortnights?\b", text)
    if not match:
        return None
    raw = match.group(1)
    days = 14 * (1 if raw is None else int(raw) if raw.isdigit() else _NUMBER_WORDS[raw])
    today = now.date()
    label = re.sub(rf"^{_LEAD_IN}", "", match.group(0))
    return _span(today - timedelta(days=days), today, label, now - timedelta(days=days))


_RANGE_AFTER_UNIT = re.compile(rf"\b{_UNIT}\s+or\s+{_NUM}\b(?!\s*{_UNIT})")
_RANGE_OF_NUMBERS = re.compile(rf"\b{_NUM}\s+or\s+{_NUM}(?=\s*{_UNIT}\b)")


def _widest_of_range(text: str) -> str:
    """"day or two" -> "two day", "2 or 3 days" -> "3 days": someone who gives a range wants
    all of it."""
    text = _RANGE_AFTER_UNIT.sub(lambda m: f"{m.group(2)} {_plural(m.group(1))}", text)
    return _RANGE_OF_NUMBERS.sub(lambda m: m.group(2), text)


def _plural(unit: str) -> str:
    return unit if unit.endswith("s") or len(unit) <= 2 else f"{unit}s"


# "since the start of the month", "from the beginning of this week": that period up to today
_SINCE_START = r"\b(?:since|from)\s+(?:the\s+)?(?:start|beginning)\s+of\s+(?:the|this)\s+"


# ("aws-monthly", a budget's name, is no rate: a word inside a hyphenated name is the name's)
_PER_MONTH = r"\b(?:per|each|every) (?:month|mo)\b|(?<![\w-])monthly(?![\w-])"
_PER_WEEK = r"\b(?:per|each|every) (?:week|wk)\b|(?<![\w-])weekly(?![\w-])"
_RATE = re.compile(rf"^(?:{_PER_MONTH}|{_PER_WEEK})$")


def said_as_a_rate(time_range: object) -> bool:
    """Whether a period was read from a rate ("per month"), not named: a thing priced a month
    ("what does that address cost us per month") asks no period of the bill."""
    return isinstance(time_range, dict) and bool(_RATE.match(str(time_range.get("label") or "")))


def _named_period(text: str, now: datetime) -> dict[str, str] | None:
    today = now.date()
    tomorrow = today + timedelta(days=1)
    monday = today - timedelta(days=today.weekday())
    month_start = today.replace(day=1)
    quarter = _quarter_start(today)
    table: list[tuple[str, Callable[[], tuple[date, date]]]] = [
        # "the current period" of a monthly budget or bill: this month so far
        (r"\b(?:month to date|month-to-date|mtd|so far this month|this month so far|"
         r"(?:the )?current (?:billing |budget )?period|this billing period)\b|"
         rf"{_SINCE_START}month\b", lambda: (month_start, tomorrow)),
        (rf"\b(?:quarter to date|qtd)\b|{_SINCE_START}quarter\b", lambda: (quarter, tomorrow)),
        (rf"\b(?:year to date|ytd)\b|{_SINCE_START}year\b", lambda: (date(today.year, 1, 1), tomorrow)),
        (rf"{_SINCE_START}week\b", lambda: (monday, tomorrow)),
        # "the week before last": the calendar week before last week (as "last week" is one)
        (r"\bweek before last\b", lambda: (monday - timedelta(days=14), monday - timedelta(days=7))),
        (r"\bmonth before last\b", lambda: (_add_months(month_start, -2), _add_months(month_start, -1))),
        (r"\b(?:end of (?:the )?month|month[- ]end|eom|by (?:the )?end of (?:the )?month)\b",
         lambda: (today, _add_months(month_start, 1))),
        (r"\b(?:end of (?:the )?quarter|quarter[- ]end|eoq)\b", lambda: (today, _add_months(quarter, 3))),
        (r"\b(?:end of (?:the )?year|year[- ]end|eoy)\b", lambda: (today, date(today.year + 1, 1, 1))),
        (r"\b(?:since|from) yesterday\b", lambda: (today - timedelta(days=1), tomorrow)),
        (r"\byesterday\b", lambda: (today - timedelta(days=1), today)),
        (r"\blast night\b", lambda: (today - timedelta(days=1), tomorrow)),
        # "right now" / "rn" are no window: "what's open right now" is every open incident, not
        # those opened since midnight, and "errors right now" is the tool's recent default
        (r"\b(?:today|this morning|this afternoon|tonight)\b", lambda: (today, tomorrow)),
        (r"\b(?:last|previous|prev) (?:week|wk)\b", lambda: (monday - timedelta(days=7), monday)),
        (r"\bthis (?:week|wk)\b", lambda: (monday, tomorrow)),
        (r"\bnext (?:week|wk)\b", lambda: (monday + timedelta(days=7), monday + timedelta(days=14))),
        (r"\b(?:last|previous|prev) (?:month|mo|mnth)\b", lambda: (_add_months(month_start, -1), month_start)),
        (r"\bthis (?:month|mo|mnth)\b", lambda: (month_start, tomorrow)),
        (r"\bnext (?:month|mo|mnth)\b", lambda: (_add_months(month_start, 1), _add_months(month_start, 2))),
        (r"\b(?:last|previous|prev) quarter\b", lambda: (_add_months(quarter, -3), quarter)),
        # "spend for the quarter", "the current quarter": this one
        (r"\b(?:this|the|current) quarter\b", lambda: (quarter, _add_months(quarter, 3))),
        (r"\bnext quarter\b", lambda: (_add_months(quarter, 3), _add_months(quarter, 6))),
        (r"\b(?:last|previous|prev) year\b", lambda: (date(today.year - 1, 1, 1), date(today.year, 1, 1))),
        (r"\bthis year\b", lambda: (date(today.year, 1, 1), tomorrow)),
        (r"\bnext year\b", lambda: (date(today.year + 1, 1, 1), date(today.year + 2, 1, 1))),
        # a rate with no period named ("what does X spend per month", "weekly cost"): the last whole
        # month or week, the figure that rate is (named last: "per day last month" is last month)
        (_PER_MONTH, lambda: (_add_months(month_start, -1), month_start)),
        (_PER_WEEK, lambda: (monday - timedelta(days=7), monday)),
    ]
    found: list[tuple[date, date, str]] = []
    for pattern, period in table:
        match = re.search(pattern, text)
        if match:
            found.append((*period(), match.group(0)))
    if not found:
        return None
    start, end, label = _asked_period(found, today)
    return _span(start, end, label)


_END_OF = re.compile(r"\bend\b|^eo[mqy]$")


def _asked_period(found: list[tuple[date, date, str]], today: date) -> tuple[date, date, str]:
    """The first period named, except that an end-of-period phrase ("month-end close", "the
    year-end review") gives way to a period already over ("last month"): said beside one, the
    end of the month is the occasion of the question, not the span it asks about."""
    first = found[0]
    if _END_OF.search(first[2]):
        over = next((item for item in found[1:] if item[1] <= today), None)
        if over is not None:
            return over
    return first


def _next_n(text: str, now: datetime) -> dict[str, str] | None:
    """"next 3 months", "next 90 days": forward from today."""
    match = re.search(rf"\bnext\s+{_NUM}\s*{_UNIT}\b", text)
    if not match:
        return None
    raw, unit = match.group(1), match.group(2)
    amount = int(raw) if raw.isdigit() else _NUMBER_WORDS[raw]
    today = now.date()
    if unit.startswith("d"):
        end = today + timedelta(days=amount)
    elif unit.startswith("w"):
        end = today + timedelta(days=7 * amount)
    elif unit.startswith("mo"):
        end = _add_months(today.replace(day=1), amount + 1)
    else:
        return None
    return _span(today, end, match.group(0))


def _quarter_name(text: str, now: datetime) -> dict[str, str] | None:
    match = re.search(r"\b(?:q([1-4])(?:\s*(?:fy)?'?(\d{2,4}))?|(?:first|second|third|fourth) quarter)\b", text)
    if not match:
        return None
    if match.group(1) is None:
        number = ("first", "second", "third", "fourth").index(match.group(0).split()[0]) + 1
        year = now.year
    else:
        number = int(match.group(1))
        year = int(match.group(2)) if match.group(2) else now.year
        year = year + 2000 if year < 100 else year
    start = date(year, 3 * (number - 1) + 1, 1)
    if not match.group(2) and start > now.date() and not _FUTURE_HINT.search(text):
        start = start.replace(year=start.year - 1)  # "q3 spend" asked in June: last year's Q3
    elif not match.group(2) and _add_months(start, 3) <= now.date() and _FUTURE_HINT.search(text):
        start = start.replace(year=start.year + 1)  # "q1 forecast" asked in December: the coming Q1
    return _span(start, _add_months(start, 3), match.group(0))


_YEAR_WORD = {"last": -1, "previous": -1, "prev": -1, "this": 0, "next": 1}


def _part_of_a_year(text: str, now: datetime) -> dict[str, str] | None:
    """"q1 next year", "march of last year", "the second quarter of this year": that part of
    the year the words name (before "next year" alone reads as the whole year)."""
    names = "|".join(MONTHS)
    match = re.search(rf"\b(q[1-4]|(?:first|second|third|fourth) quarter|{names})\s+(?:of\s+)?"
                      rf"(last|previous|prev|this|next)\s+year\b", text)
    if not match:
        return None
    part, year = match.group(1), now.year + _YEAR_WORD[match.group(2)]
    if part in MONTHS:
        start = date(year, MONTHS.index(part) + 1, 1)
        return _span(start, _add_months(start, 1), match.group(0))
    number = int(part[1]) if part.startswith("q") else ("first", "second", "third", "fourth").index(part.split()[0]) + 1
    start = date(year, 3 * (number - 1) + 1, 1)
    return _span(start, _add_months(start, 3), match.group(0))


def _month_name(text: str, now: datetime) -> dict[str, str] | None:
    names = "|".join(MONTHS + tuple(a for a in MONTH_ABBR if a != "may"))
    match = re.search(rf"\b(?:in|for|during|of|since|from)?\s*({names}|may)\b(?:\s+(\d{{4}}))?(?!\s*\d)", text)
    if not match:
        return None
    word = match.group(1)
    if word == "may" and not re.search(r"\b(?:in|for|during|of|since|from)\s+may\b|\bmay\s+\d{4}\b", text):
        return None  # "may" the verb
    month = (MONTHS.index(word) if word in MONTHS else MONTH_ABBR.index(word)) + 1
    year = int(match.group(2)) if match.group(2) else now.year
    if not match.group(2) and month > now.month and not _FUTURE_HINT.search(text):
        year -= 1  # "in october" asked in June means last October, unless the request looks ahead
    elif not match.group(2) and month < now.month and _FUTURE_HINT.search(text) \
            and not match.group(0).strip().startswith(("since", "from")):
        year += 1  # "january's estimate" asked in December: the coming January, not the one gone
    start = date(year, month, 1)
    if match.group(0).strip().startswith(("since", "from")):
        return _span(start, now.date() + timedelta(days=1), match.group(0))
    return _span(start, _add_months(start, 1), match.group(0))


# What a weekday names as an occasion, not a period: "my friday status update", "the monday standup"
_OCCASION = (r"(?:status\s+)?(?:updates?|reports?|standups?|stand-ups?|meetings?|syncs?|retros?|demos?|calls?|"
             r"planning|huddles?|all-hands|newsletters?|emails?|recaps?|write-?ups?)\b")


def _weekday(text: str, now: datetime) -> dict[str, str] | None:
    """"since monday" (through today), "on tuesday" (that day), the most recent one; never a
    weekday said of an occasion ("drafting my friday status update: where do the builds stand?")."""
    match = next((found for found in re.finditer(r"\b(since|on|from|last)?\s*(" + "|".join(WEEKDAYS) + r")\b", text)
                  if found.group(1) or not re.match(rf"\s+{_OCCASION}", text[found.end():])), None)
    if not match:
        return None
    today = now.date()
    back = (today.weekday() - WEEKDAYS.index(match.group(2))) % 7
    if match.group(1) == "last" and back == 0:
        back = 7
    day = today - timedelta(days=back)
    if match.group(1) in ("since", "from"):
        return _span(day, today + timedelta(days=1), match.group(0))
    return _span(day, day + timedelta(days=1), match.group(0))


def _explicit_date(text: str, now: datetime) -> dict[str, str] | None:
    """ISO dates and "since <date>" / "on the 3rd": parsed by dateparser, anchored on ``now``."""
    iso = re.findall(r"\b(\d{4}-\d{2}-\d{2})\b", text)
    if len(iso) >= 2:
        return _span(date.fromisoformat(iso[0]), date.fromisoformat(iso[1]), f"{iso[0]} to {iso[1]}")
    match = re.search(r"\b(since|from|after|on)?\s*(?:the\s+)?(\d{4}-\d{2}-\d{2}|\d{1,2}(?:st|nd|rd|th)"
                      r"(?:\s+of\s+\w+)?|\d{1,2}(?:am|pm)|\d{1,2}:\d{2}\s*(?:am|pm)?)\b", text)
    if not match or (match.group(1) is None and not re.match(r"\d{4}-", match.group(2))):
        return None
    import dateparser

    settings: Any = {"RELATIVE_BASE": now.replace(tzinfo=None), "PREFER_DATES_FROM": "past",
                     "PREFER_DAY_OF_MONTH": "first"}
    raw = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", match.group(2))
    if re.fullmatch(r"\d{1,2}", raw):
        raw = f"{raw} {calendar.month_name[now.month]} {now.year}"
    parsed = dateparser.parse(raw, settings=settings)
    if parsed is None:
        return None
    today = now.date()
    if match.group(1) in ("since", "from", "after"):
        since = parsed if re.search(r"am|pm|:", raw) else None
        return _span(parsed.date(), today + timedelta(days=1), match.group(0), since)
    return _span(parsed.date(), parsed.date() + timedelta(days=1), match.group(0))


def _ago(text: str, now: datetime) -> dict[str, str] | None:
    """"3 days ago" (that day), "since 2 weeks ago" (through today), "an hour ago" (since
    then): the arithmetic is dateparser's, anchored on ``now``."""
    match = re.search(rf"\b(since|from|after)?\s*{_NUM}\s*{_UNIT}\s+ago\b", text)
    if not match:
        return None
    import dateparser

    phrase = match.group(0).strip()
    spoken = phrase.removeprefix(match.group(1) or "").strip()
    settings: Any = {"RELATIVE_BASE": now.replace(tzinfo=None)}
    parsed = dateparser.parse(spoken.replace("couple of", "2").replace("few", "3"), languages=["en"],
                              settings=settings)
    if parsed is None:
        return None
    today = now.date()
    if match.group(3).startswith(("min", "h")):
        return _span(parsed.date(), today + timedelta(days=1), phrase, parsed)
    if match.group(1):
        return _span(parsed.date(), today + timedelta(days=1), phrase)
    return _span(parsed.date(), parsed.date() + timedelta(days=1), phrase)


# Times of day said by what happens then: "since lunch" is since noon, "overnight" last night.
_SPOKEN_TIMES = ((re.compile(r"\b(since|from|after)\s+(?:lunch(?:time)?|noon|midday)\b"), r"\1 12pm"),
                 (re.compile(r"\b(?:overnight|over night)\b"), "last night"),
                 # "the last half hour", "half an hour ago", "an hour and a half": in minutes
                 (re.compile(r"\b(?:(?:an?|one)\s+)?hour and a half\b"), "90 minutes"),
                 (re.compile(r"\b(?:a )?half (?:an )?hour\b"), "30 minutes"))


def time_range(text: str, now: datetime) -> dict[str, str] | None:
    """The period a request talks about, end exclusive, with the phrase that named it."""
    for pattern, said in _SPOKEN_TIMES:
        text = pattern.sub(said, text)
    for finder in (_ago, _relative_amount, _next_n, _part_of_a_year, _named_period, _quarter_name, _month_name,
                   _weekday, _explicit_date):
        found = finder(text, now)
        if found:
            return found
    return None


# "last blurgday", "past 3 weekz": a period phrase whose unit no finder read
_PERIOD_LIKE = re.compile(r"\b(?:last|past|previous|prev|this|next|since|over the last|over the past)\s+"
                          r"(?:\d+\s+)?[a-z]*(?:day|week|month|year|hour|night|quarter|fortnight)[a-z]*\b")


def unread_period(text: str) -> str | None:
    """The phrase of a period ``time_range`` could not read (call it when that found none), so
    the answer can say its period is the default, not the one asked for."""
    match = _PERIOD_LIKE.search(text)
    return match.group(0) if match else None

