"""The router's typed output: one skill, its agent, a confidence and extracted slots."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class Route(BaseModel):
    text: str
    agent: str
    skill: str
    confidence: float = Field(ge=0.0, le=1.0)
    slots: dict[str, Any] = Field(default_factory=dict)
    alternatives: list[tuple[str, float]] = Field(
        default_factory=list, description="Next-best skills with their scores, best first."
    )
    mood: str = Field(default="request", description="request | negated | hypothetical | past | reported")
    requested_skill: str | None = Field(
        default=None, description="The mutating skill the text talks about without asking for it (then "
                                  "``skill`` is the read-only skill that answers it as a question).")
    meant: str | None = Field(
        default=None, description="The words as meant, typos repaired as the router read them (\"any hgih "
                                  "findings\" -> \"any high findings\"), when they differ from ``text``, "
                                  "which stays as typed; what an answer's narrowing reads.")

    def contract_dict(self) -> dict[str, Any]:
        """The shape `guardian route --json` prints (docs/CONTRACT.md)."""
        return {
            "text": self.text,
            "agent": self.agent,
            "skill": self.skill,
            "confidence": round(self.confidence, 4),
            "slots": self.slots,
            "mood": self.mood,
        }

    @property
    def words(self) -> str:
        """The words as meant (typos repaired), else as typed."""
        return self.meant or self.text
