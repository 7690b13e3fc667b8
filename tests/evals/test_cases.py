"""The eval cases themselves: enough of them, every skill covered, a held-out part, and every
fact, id and tool they expect grounded in the sandbox company's data (the single source of
truth), the packaged runbooks or the eval's policy: a typo in a case fails here, not as a
mysterious miss in the report."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from agents.skills import SKILL_BY_NAME
from bot.errors import UserError
from bot.evals.cases import Case, default_root, load_cases
from bot.evals.runner import POLICY, leaves
from sandbox.company import CURRENCY, DRIFTWOOD, DRIFTWOOD_AZURE, DRIFTWOOD_GCP, SPIKE_USAGE_TYPE
from sandbox.saas_company import build
from tools.aws import AWS
from tools.azure import AZURE
from tools.gcp import GCP
from tools.github import GITHUB
from tools.knowledge import KNOWLEDGE
from tools.pagerduty import PAGERDUTY
from tools.registry import ToolRegistry

RUNBOOKS = Path(__file__).resolve().parents[2] / "knowledge" / "runbooks"
CASES = load_cases(default_root())
NAMED = {"instance": {i.name for i in DRIFTWOOD.instances}, "sg": {g.name for g in DRIFTWOOD.security_groups},
         "volume": {v.name for v in DRIFTWOOD.volumes}, "snapshot": {s.name for s in DRIFTWOOD.snapshots},
         "eip": {e.name for e in DRIFTWOOD.elastic_ips}}


def sandbox_text() -> str:
    # the sandbox serves the Azure subscription and the Google Cloud project too, and Cost
    # Anomaly Detection names the spike's usage type
    words = leaves(DRIFTWOOD) | leaves(build()) | leaves(DRIFTWOOD_AZURE) | leaves(DRIFTWOOD_GCP) | {SPIKE_USAGE_TYPE}
    runbooks = "\n".join(path.read_text(encoding="utf-8") for path in sorted(RUNBOOKS.glob("*.md")))
    # the skill names are the contract's fixed vocabulary (a help answer lists them), not output
    return "\n".join([*sorted(words), *SKILL_BY_NAME, CURRENCY, runbooks, POLICY]).lower()


def test_enough_cases_over_every_skill_with_a_held_out_part() -> None:
    per_skill = Counter(case.skill for case in CASES)
    assert len(CASES) >= 150
    assert set(per_skill) == set(SKILL_BY_NAME)
    assert min(per_skill.values()) >= 5
    assert sum(case.split == "heldout" for case in CASES) >= 50
    assert 25 <= sum(case.fast for case in CASES) <= 35
    assert all(case.split == "dev" for case in CASES if case.fast)  # the fast subset never runs held-out cases


def test_conversations_and_policy_cases_are_there() -> None:
    assert sum(bool(case.thread) for case in CASES) >= 10
    refused = [case for case in CASES if case.user not in ("alice", "bob")]
    assert len(refused) >= 7 and all(case.approval is False for case in refused)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_every_expectation_is_grounded_in_the_sandbox(case: Case) -> None:
    text = sandbox_text()
    # a figure the request itself gives ("our $12,000 budget") is grounded by the request: the answer echoes it
    assert [fact for fact in case.facts if fact.lower() not in text and fact.lower() not in case.ask.lower()] == []
    for ref in [*case.resources, *case.not_resources]:
        kind, _, name = ref.partition(":")
        if kind in NAMED and name:
            assert name in NAMED[kind], ref
        else:
            assert ref.lower() in text, ref
    tools = {spec.name for spec in ToolRegistry.of(AWS, AZURE, GCP, GITHUB, PAGERDUTY, KNOWLEDGE).all()}
    assert set(case.tools) | set(case.not_tools) <= tools


def test_the_file_name_is_the_case_id() -> None:
    for split in ("dev", "heldout"):
        for path in (default_root() / split).rglob("*.yaml"):
            assert any(case.id == path.stem and case.split == split for case in CASES), path


def test_a_malformed_case_is_a_user_error(tmp_path: Path) -> None:
    (tmp_path / "dev").mkdir()
    (tmp_path / "dev" / "bad.yaml").write_text("id: bad\nskill: cost.nonsense\nask: hi\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"Bad eval case .*bad\.yaml.*unknown skill 'cost\.nonsense'"):
        load_cases(tmp_path)
