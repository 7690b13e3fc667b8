"""A findings question that names its scanner ("what did guardduty catch") is answered by
that scanner first: its findings are the lead, the other scanner's come after."""

from __future__ import annotations

from agents.route import Route
from agents.specialists import specialist_for
from tools.aws import AWS_TOOLS
from tools.knowledge import KNOWLEDGE_TOOLS
from tools.registry import ToolRegistry

REGISTRY = ToolRegistry([*AWS_TOOLS, *KNOWLEDGE_TOOLS])


def _reads(text: str, **slots: object) -> list[str]:
    route = Route(text=text, agent="security", skill="security.findings", confidence=0.95, slots=slots)
    return [call.spec.name for call in specialist_for(route.skill).plan(route, REGISTRY).reads]


def test_guardduty_named_leads() -> None:
    reads = _reads("did guardduty catch anything overnight", cloud="aws", aws_service="guardduty")
    assert reads[0] == "aws_guardduty_findings" and "aws_security_hub_findings" in reads


def test_security_hub_named_leads() -> None:
    assert _reads("security hub: anything new?", cloud="aws", aws_service="securityhub")[0] == \
        "aws_security_hub_findings"


def test_no_scanner_named_keeps_the_registry_order() -> None:
    reads = _reads("any open security findings")
    assert reads.index("aws_security_hub_findings") < reads.index("aws_guardduty_findings")
