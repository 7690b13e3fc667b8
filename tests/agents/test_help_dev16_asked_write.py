"""dev16 (evals16c): a help question about one kind of change ("can you bounce boxes for me or
who has to?", "who signs off on reruns here?") is answered with how that change is carried
out and who approves it, even when the router heard no write asked about."""

from __future__ import annotations

from agents.route import Route
from agents.templates import asked_write, would_do


def help_route(text: str, slots: dict | None = None, requested: str | None = None) -> Route:
    return Route(text=text, agent="knowledge", skill="help", confidence=0.8, slots=slots or {},
                 requested_skill=requested)


def test_the_write_the_router_heard_wins() -> None:
    assert asked_write(help_route("can I ack things?", {"action": "reboot"}, "incident.ack")) == "incident.ack"


def test_an_action_slot_names_the_write() -> None:
    assert asked_write(help_route("could you bounce vms for me", {"action": "reboot", "resource_type": "ec2"})) \
        == "infra.action"
    assert asked_write(help_route("can you retry builds?", {"action": "rerun"})) == "cicd.rerun"


def test_a_write_named_by_its_noun_is_the_write() -> None:
    assert asked_write(help_route("who around here signs off on reboots?")) == "infra.action"
    assert asked_write(help_route("who signs off on reruns here?")) == "cicd.rerun"


def test_a_question_about_guardian_at_large_names_no_write() -> None:
    assert asked_write(help_route("what are you good for?")) is None
    assert asked_write(help_route("hey where do i start with you", {"action": "start"})) is None
    assert asked_write(help_route("can you do restarts and reruns?")) is None  # two kinds: the catalogue


def test_a_preview_reads_as_one_sentence_of_what_an_approval_would_do() -> None:
    assert would_do("Re-run the failed jobs of run 42 in acme/api.") == \
        "If approved, this would re-run the failed jobs of run 42 in acme/api. Nothing was proposed or changed."
    assert would_do("reboot i-0abc") == "If approved, this would reboot i-0abc. Nothing was proposed or changed."
    assert would_do("EC2 instance i-0abc stops.").startswith("If approved, this would EC2 instance")
