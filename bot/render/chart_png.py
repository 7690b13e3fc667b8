"""A chart as a PNG image, for surfaces that show pictures but draw nothing themselves
(Slack: the image is uploaded as a file in the answer's thread, beside the table of its
last points that the blocks carry).

Matplotlib's object API with the Agg canvas, never ``pyplot``: pyplot keeps global
figures and is not safe from the worker threads the surfaces render in. Imported lazily,
so only a process that draws a chart pays for matplotlib.
"""

from __future__ import annotations

import io

from agents.answer import Chart
from bot.render.cells import format_value

WIDTH, HEIGHT, DPI = 8.0, 3.6, 100  # inches: 800x360 pixels, readable in a Slack thread
MAX_SERIES = 6
TICKS = 7


def drawable(chart: Chart) -> bool:
    """A time series with at least two points is worth a picture; one point is a number."""
    return chart.x_kind == "time" and any(len(series.points) >= 2 for series in chart.series)


def chart_png(chart: Chart) -> bytes:
    """The chart's series as lines (or bars) over time, values labelled in the chart's unit."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    days = sorted({point.x for series in chart.series for point in series.points})
    position = {day: index for index, day in enumerate(days)}
    shown = chart.series[:MAX_SERIES]
    for number, series in enumerate(shown):
        xs = [position[point.x] for point in series.points]
        ys = [point.y for point in series.points]
        if chart.kind == "bar":
            width = 0.8 / len(shown)
            axes.bar([x + number * width for x in xs], ys, width=width, label=series.name)
        else:
            axes.plot(xs, ys, marker="o", markersize=3, linewidth=1.8, label=series.name)
    step = max(1, len(days) // TICKS)
    axes.set_xticks(range(0, len(days), step), [days[i][5:] if len(days[i]) == 10 else days[i]
                                                for i in range(0, len(days), step)])
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: format_value(chart.y_kind, value, chart.unit)))
    axes.set_title(chart.title, loc="left", fontsize=11)
    axes.grid(axis="y", alpha=0.3)
    axes.spines[["top", "right"]].set_visible(False)
    if len(shown) > 1 or (shown and shown[0].name):
        axes.legend(fontsize=8, frameon=False, loc="upper left")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def alt_text(chart: Chart) -> str:
    """What a screen reader says instead: the title and each series' first and last value."""
    parts = []
    for series in chart.series[:MAX_SERIES]:
        if series.points:
            first, last = series.points[0], series.points[-1]
            parts.append(f"{series.name} from {format_value(chart.y_kind, first.y, chart.unit)} on {first.x} "
                         f"to {format_value(chart.y_kind, last.y, chart.unit)} on {last.x}")
    return (f"{chart.title}: " + "; ".join(parts))[:1000]
