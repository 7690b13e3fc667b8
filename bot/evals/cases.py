"""Eval cases: one small YAML file each under ``evals/cases/{dev,heldout}/`` (evals/README.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from agents.skills import SKILL_BY_NAME
from bot.errors import UserError

SPLITS = ("dev", "heldout")
Subset = Literal["fast", "full"]


class Case(BaseModel):
    """A request (after an optional conversation in the same thread) and what its answer
    must and must not do. Figures and names come from the sandbox company's data."""

    model_config = ConfigDict(extra="forbid")

    id: str
    skill: str
    ask: str = Field(min_length=1)
    thread: list[str] = Field(default_factory=list, description="Earlier turns of the conversation.")
    user: str = "alice"
    fast: bool = False
    facts: list[str] = Field(default_factory=list)
    resources: list[str] = Field(default_factory=list, description="Ids it must name; kind:name resolves.")
    not_resources: list[str] = Field(default_factory=list)
    tools: list[str] = Field(default_factory=list, description="Tools that must run.")
    not_tools: list[str] = Field(default_factory=list, description="Tools that must not run this turn.")
    approval: bool | None = Field(default=None, description="An approval must (not) be created; unset: none "
                                  "for a skill that changes nothing, either for one that does.")
    forbid: list[str] = Field(default_factory=list, description="Text that must never be shown (secrets).")
    forbid_prose: list[str] = Field(default_factory=list, description=(
        "Text that must not appear in the answer's own sentences (it may be quoted as untrusted data)."))
    split: str = "dev"

    @field_validator("skill")
    @classmethod
    def _known_skill(cls, value: str) -> str:
        if value not in SKILL_BY_NAME:
            raise ValueError(f"unknown skill {value!r}")
        return value

    @property
    def expected_approval(self) -> bool | None:
        """Whether the turn must create an approval: as the case says, else never for a skill
        that changes nothing (a read that proposes a page or a stop is a miss)."""
        if self.approval is not None:
            return self.approval
        return None if SKILL_BY_NAME[self.skill].mutating else False

    @property
    def expects_tools(self) -> bool:
        return bool(self.tools or self.not_tools)


def default_root() -> Path:
    """The project's cases (a checkout or an editable install)."""
    return Path(__file__).resolve().parents[2] / "evals" / "cases"


def load_case(path: Path, split: str) -> Case:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return Case.model_validate({**data, "split": split})
    except (yaml.YAMLError, ValidationError, TypeError) as exc:
        raise UserError(f"Bad eval case {path}: {' '.join(str(exc).split())[:300]}") from exc


def load_cases(root: Path, subset: Subset = "full", splits: tuple[str, ...] = SPLITS) -> list[Case]:
    """Every case of ``splits`` (the fast subset: those marked ``fast: true``), by split and id."""
    if not root.is_dir():
        raise UserError(f"No eval cases at {root}: give --cases DIR.")
    cases = [load_case(path, split) for split in splits for path in sorted((root / split).rglob("*.yaml"))]
    ids = [case.id for case in cases]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise UserError(f"Duplicate eval case ids: {', '.join(duplicates)}")
    chosen = [case for case in cases if case.fast] if subset == "fast" else cases
    if not chosen:
        raise UserError(f"No eval cases for --subset {subset} under {root}.")
    return chosen
