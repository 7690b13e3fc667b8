"""The access policy (docs/CONTRACT.md "Access policy"): parsing, decisions, and errors that
name the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.policy import AccessPolicy, PolicyError, load_policy, parse_policy, pattern_matches
from tests.helpers import CONTRACT_POLICY


@pytest.fixture
def policy() -> AccessPolicy:
    return AccessPolicy(parse_policy(CONTRACT_POLICY), "policy.yaml")


def test_reader_may_read_but_not_act(policy: AccessPolicy) -> None:
    assert policy.may_ask("mallory", "security.public_storage").allowed
    refused = policy.may_ask("mallory", "infra.action")
    assert not refused.allowed
    assert refused.would_allow == ("oncall",)
    assert refused.reason == ("Refused: mallory may not use infra.action: your roles (reader) do not allow it; "
                              "role oncall would.")


def test_oncall_may_ask_anything_and_approve_someone_elses_action(policy: AccessPolicy) -> None:
    assert policy.may_ask("alice", "infra.action").allowed
    assert policy.may_decide("bob", "infra.action", requested_by="alice").allowed
    assert policy.may_decide("bob", "incident.page", requested_by="alice").allowed


def test_requester_may_not_decide_their_own_action(policy: AccessPolicy) -> None:
    decision = policy.may_decide("alice", "infra.action", requested_by="alice")
    assert not decision.allowed and "requester_may_approve: false" in decision.reason


def test_requester_may_decide_when_the_policy_says_so() -> None:
    policy = AccessPolicy(parse_policy(CONTRACT_POLICY.replace("requester_may_approve: false",
                                                                "requester_may_approve: true")))
    assert policy.may_decide("alice", "infra.action", requested_by="alice").allowed


def test_reader_may_not_approve(policy: AccessPolicy) -> None:
    decision = policy.may_decide("mallory", "infra.action", requested_by="alice")
    assert not decision.allowed and decision.would_allow == ("oncall",)


def test_a_skill_no_role_grants_says_so() -> None:
    policy = AccessPolicy(parse_policy("roles: {reader: {ask: [help]}}\ndefault_roles: [reader]\n"))
    decision = policy.may_ask("erin", "cost.summary")
    assert decision.reason == "Refused: erin may not use cost.summary: no role in the access policy allows it."


@pytest.mark.parametrize("user", ["", "   ", "alice\x1b[2J", "bob\n", "\u202eevil", "x" * 300, " alice"])
def test_odd_identities_are_refused_even_without_a_policy(user: str) -> None:
    assert not AccessPolicy.open().may_ask(user, "help").allowed
    assert not AccessPolicy.open().may_decide(user, "infra.action", requested_by="someone").allowed


def test_no_policy_is_single_user_local_mode() -> None:
    open_mode = AccessPolicy.open()
    assert not open_mode.enforced
    assert open_mode.may_ask("anyone", "infra.action").allowed
    assert open_mode.may_decide("anyone", "infra.action", requested_by="anyone").allowed


@pytest.mark.parametrize(("pattern", "skill", "matches"), [
    ("*", "infra.action", True), ("infra.*", "infra.action", True), ("infrastructure.*", "infra.logs", True),
    ("incident.*", "incident.ack", True), ("incident.*", "infra.action", False),
    ("infra.action", "infra.action", True), ("infra.action", "infra.logs", False), ("knowledge.*", "help", True),
])
def test_patterns(pattern: str, skill: str, matches: bool) -> None:
    assert pattern_matches(pattern, skill) is matches


@pytest.mark.parametrize(("text", "message"), [
    ("roles:\n  reader: {ask: [help]\nusers: {}\n", "line 3"),  # unclosed flow mapping
    ("roles:\n  reader:\n    ask: [help]\nusers:\n  alice: [admin]\n", "line 5: user 'alice' has unknown role 'admin'"),
    ("roles:\n  reader:\n    ask: [costs.*]\n", "line 3: roles.reader.ask: unknown skill pattern 'costs.*'"),
    ("roles:\n  reader:\n    ask: [help]\n    deploy: [help]\n", "line 4: roles.reader.deploy: Extra inputs"),
    ("roles:\n  reader: {ask: [help]}\ndefault_roles: [ghost]\n", "line 3: default_roles names unknown role 'ghost'"),
    ("roles:\n  reader: {ask: [help]}\nrequester_may_approve: perhaps\n", "line 3: requester_may_approve"),
    ("- just\n- a list\n", "line 1: expected a mapping"),
])
def test_malformed_policy_names_the_line(text: str, message: str) -> None:
    with pytest.raises(PolicyError, match=r"GUARDIAN_POLICY p\.yaml") as caught:
        parse_policy(text, "p.yaml")
    assert message in str(caught.value)


def test_missing_and_binary_policy_files_are_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="no such file"):
        load_policy(tmp_path / "absent.yaml")
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"roles: \xff\xfe\n")
    with pytest.raises(PolicyError, match="not UTF-8"):
        load_policy(binary)
