"""A router reading written out by hand, for the follow-up grammar's tests: what the router
said of a turn (its skill, how sure, its slots and next readings), with the skill's own agent."""

from __future__ import annotations

from typing import Any

from agents.route import Route
from agents.skills import SKILL_BY_NAME


def route(text: str, skill: str, slots: dict[str, Any] | None = None, confidence: float = 0.9,
          alternatives: list[tuple[str, float]] | None = None) -> Route:
    return Route(text=text, agent=SKILL_BY_NAME[skill].agent, skill=skill, confidence=confidence,
                 slots=slots or {}, alternatives=alternatives or [])
