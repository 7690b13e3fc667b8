"""A chart as a PNG: only a time series with at least two points is drawn; the image is a
real PNG of the intended size, and its alt text names each series' first and last value."""

from __future__ import annotations

import struct

from agents.answer import Chart, Point, Series
from bot.render.chart_png import alt_text, chart_png, drawable

DAILY = Chart(title="Daily cost", unit="USD", series=[
    Series(name="Amazon EC2", points=[Point(x="2026-11-01", y=10.0), Point(x="2026-11-02", y=42.5)]),
    Series(name="Amazon S3", points=[Point(x="2026-11-01", y=3.0), Point(x="2026-11-02", y=3.5)])])


def test_a_daily_series_is_drawn_as_an_800_by_360_png() -> None:
    png = chart_png(DAILY)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    assert struct.unpack(">II", png[16:24]) == (800, 360)


def test_only_time_series_with_two_points_are_drawable() -> None:
    assert drawable(DAILY)
    one_point = Chart(title="Today", series=[Series(name="total", points=[Point(x="2026-11-01", y=1.0)])])
    assert not drawable(one_point)
    assert not drawable(DAILY.model_copy(update={"x_kind": "text"}))


def test_alt_text_names_first_and_last_values() -> None:
    assert alt_text(DAILY) == ("Daily cost: Amazon EC2 from $10.00 on 2026-11-01 to $42.50 on 2026-11-02; "
                               "Amazon S3 from $3.00 on 2026-11-01 to $3.50 on 2026-11-02")
