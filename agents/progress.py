"""Progress of a turn while it runs ("Checking AWS Cost Explorer…"), for surfaces that show
work in progress (Slack's assistant status, a message updated in place, Teams' typing
indicator, the web chat's event stream). Nodes write through LangGraph's custom stream;
outside a streamed run the writer is a no-op, so reporting never costs anything."""

from __future__ import annotations

import re
from collections.abc import Callable

from langgraph.config import get_stream_writer

from tools.base import ToolSpec

ProgressCallback = Callable[[str], None]

INTEGRATION_NAMES = {"aws": "AWS", "azure": "Azure", "gcp": "Google Cloud", "github": "GitHub",
                     "pagerduty": "PagerDuty", "knowledge": "the runbooks"}


def report(text: str) -> None:
    """Tell whoever streams this run what the turn is doing now."""
    try:
        writer = get_stream_writer()
    except RuntimeError:  # not inside a graph run (a tool called from a script or test)
        return
    writer({"progress": text})


def tool_step(spec: ToolSpec) -> str:
    """One line for a tool about to run: where it looks and what for."""
    where = INTEGRATION_NAMES.get(spec.integration, spec.integration)
    what = re.split(r"[.;(]", spec.description, maxsplit=1)[0].strip().rstrip(":,")
    what = what[0].lower() + what[1:] if what else spec.name
    return f"Checking {where}: {what}…"
