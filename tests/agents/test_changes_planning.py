"""cicd.changes is asked of code and of infrastructure: the router sends both there, and the
cicd agent plans the inventory's snapshot difference for infrastructure words (or a named
cloud) and the repositories' changes otherwise, never both."""

from __future__ import annotations

import pytest

from agents.router import SkillRouter
from agents.specialists import SPECIALIST_BY_NAME
from tools.aws import AWS_TOOLS
from tools.github import GITHUB_TOOLS
from tools.knowledge import KNOWLEDGE_TOOLS
from tools.registry import ToolRegistry

REGISTRY = ToolRegistry([*AWS_TOOLS, *GITHUB_TOOLS, *KNOWLEDGE_TOOLS])
INVENTORY = ["knowledge_inventory_changes"]
CODE = [spec.name for spec in GITHUB_TOOLS if "cicd.changes" in spec.skills]


@pytest.fixture(scope="module")
def router(router: SkillRouter) -> SkillRouter:
    """The session's fitted index (its cache), with today's clock: "since yesterday" is now's."""
    return SkillRouter(router.embedder, cache_dir=router.cache_dir)


@pytest.mark.parametrize(("question", "tools"), [
    ("what changed in the infrastructure since yesterday?", INVENTORY),
    ("what changed in our infrastructure since yesterday?", INVENTORY),
    ("which resources changed since yesterday in aws?", INVENTORY),
    ("what changed since yesterday?", CODE + INVENTORY),  # neither named: both, code first
    ("what merged in payments-api since monday?", CODE),
    ("which infra repo changes were merged this week?", CODE),
    ("what was deployed to aws today?", CODE),
])
def test_the_words_pick_the_inventory_or_the_repositories(router: SkillRouter, question: str,
                                                          tools: list[str]) -> None:
    route = router.route(question)
    assert route.skill == "cicd.changes"
    plan = SPECIALIST_BY_NAME["cicd"].plan(route, REGISTRY)
    assert [call.spec.name for call in plan.reads] == tools
    if tools == INVENTORY:
        assert plan.runbook_query is None  # the deploy rollback runbook is not about resources


def test_since_yesterday_reaches_the_tool_as_its_start(router: SkillRouter) -> None:
    route = router.route("what changed in the infrastructure since yesterday?")
    plan = SPECIALIST_BY_NAME["cicd"].plan(route, REGISTRY)
    assert str(plan.reads[0].args["start"]) == route.slots["time_range"]["start"]
