"""A turn that proposed an action on something the agent found in the thread (its words named
nothing) remembers that target, so "ok, do it" / "close it out" next acts on the same one."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from agents.answer import Answer, PendingApproval
from agents.approvals import ApprovalError
from agents.followup import acted_on
from agents.service import Guardian


class _Approvals:
    def __init__(self, args: dict[str, Any]) -> None:
        self.args = args

    def get(self, approval_id: str) -> SimpleNamespace:
        if approval_id != "ap-1":
            raise ApprovalError(approval_id)
        return SimpleNamespace(args=self.args)


def _proposed(args: dict[str, Any], slots: dict[str, Any], approval: str | None = "ap-1") -> dict[str, Any]:
    owner = SimpleNamespace(deps=SimpleNamespace(approvals=_Approvals(args)))
    pending = PendingApproval(id=approval, action="x_close", summary="close it") if approval else None
    answer = Answer(agent="incident", skill="incident.resolve", pending_approval=pending)
    return Guardian._proposed_target(owner, answer, slots)  # type: ignore[arg-type]


def test_the_target_of_a_proposed_action_is_remembered() -> None:
    assert _proposed({"incident_id": "QX1", "note": "all good"}, {}) == {"incident_id": "QX1"}


def test_a_target_the_words_named_is_kept_and_no_proposal_lends_nothing() -> None:
    assert _proposed({"incident_id": "QX1"}, {"incident_id": "QX9"}) == {}
    assert _proposed({"incident_id": "QX1"}, {}, approval=None) == {}
    assert _proposed({"incident_id": "QX1"}, {}, approval="ap-gone") == {}


def test_only_arguments_naming_a_target_become_slots() -> None:
    assert acted_on({"run_id": 77, "failed_only": True, "repo": "", "workflow": None}) == {"run_id": 77}
