"""The access policy (``GUARDIAN_POLICY``, docs/CONTRACT.md "Access policy"): who may ask
which skill and who may approve which mutation.

Roles grant skill patterns (exact names, ``agent.*``/``prefix.*`` or ``*``) to ask and to
approve; users map to roles; anyone unlisted gets ``default_roles``. Without a policy file
Guardian runs in single-user local mode: everyone may ask and approve everything
(mutations still wait for an approval). Identities are the surface's own user ids, so an
identity that is empty, blank or carries control characters is refused in every mode.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from agents.skills import AGENTS, SKILL_BY_NAME, SKILLS

MAX_USER_ID = 256
CONFIGURABLE = ("subscriptions",)  # what a role's `configure` may name


class PolicyError(ValueError):
    """A policy file that cannot be used; the message names the file and the line."""


class Role(BaseModel):
    """What one role may do."""

    model_config = ConfigDict(extra="forbid")

    ask: list[str] = Field(default_factory=list, description="Skill patterns this role may ask.")
    approve: list[str] = Field(default_factory=list, description="Skill patterns this role may approve.")
    configure: list[str] = Field(default_factory=list, description="Guardian's own settings this role may "
                                 "change from chat: 'subscriptions' (proactive posts) or '*'.")

    @field_validator("configure")
    @classmethod
    def _known_settings(cls, names: list[str]) -> list[str]:
        for name in names:
            if name not in CONFIGURABLE and name != "*":
                raise ValueError(f"unknown setting {name!r} (use {', '.join(CONFIGURABLE)} or '*')")
        return names

    @field_validator("ask", "approve")
    @classmethod
    def _known_patterns(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            if not _pattern_is_known(pattern):
                raise ValueError(f"unknown skill pattern {pattern!r} (use a skill name, 'agent.*' or '*')")
        return patterns


class PolicyFile(BaseModel):
    """The YAML document, validated."""

    model_config = ConfigDict(extra="forbid")

    roles: dict[str, Role]
    users: dict[str, list[str]] = Field(default_factory=dict)
    default_roles: list[str] = Field(default_factory=list)
    requester_may_approve: bool = False


@dataclass(frozen=True)
class Decision:
    """A policy answer: allowed or not, and a one-line reason a person can act on."""

    allowed: bool
    reason: str
    roles: tuple[str, ...] = ()
    would_allow: tuple[str, ...] = ()


def identity_problem(user: str | None) -> str | None:
    """Why a user id cannot be an identity, or None when it can."""
    if user is None or not user.strip():
        return "an empty user id is not an identity"
    if len(user) > MAX_USER_ID:
        return f"a user id longer than {MAX_USER_ID} characters is not an identity"
    if any(unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp") for char in user):
        return "a user id with control characters is not an identity"
    if user != user.strip():
        return "a user id with leading or trailing spaces is not an identity"
    return None


def _pattern_is_known(pattern: str) -> bool:
    if pattern == "*" or pattern in SKILL_BY_NAME:
        return True
    if pattern.endswith(".*"):
        prefix = pattern[:-2]
        return prefix in AGENTS or any(skill.name.startswith(prefix + ".") for skill in SKILLS)
    return False


def pattern_matches(pattern: str, skill: str) -> bool:
    """``*``, an exact name, a skill prefix (``infra.*``) or an agent (``infrastructure.*``)."""
    if pattern in ("*", skill):
        return True
    if pattern.endswith(".*"):
        prefix = pattern[:-2]
        known = SKILL_BY_NAME.get(skill)
        return skill.startswith(prefix + ".") or (known is not None and known.agent == prefix)
    return False


class AccessPolicy:
    """Decides asks and approvals. ``AccessPolicy.open()`` is the single-user local mode."""

    def __init__(self, document: PolicyFile | None, source: str = "") -> None:
        self.document = document
        self.source = source

    @classmethod
    def open(cls) -> AccessPolicy:
        return cls(None)

    @property
    def enforced(self) -> bool:
        return self.document is not None

    def roles_of(self, user: str) -> tuple[str, ...]:
        if self.document is None:
            return ()
        return tuple(self.document.users.get(user, self.document.default_roles))

    def may_ask(self, user: str, skill: str) -> Decision:
        return self._check(user, skill, "ask", requested_by=None)

    def may_decide(self, user: str, skill: str, requested_by: str) -> Decision:
        """Whether ``user`` may approve or deny an approval for ``skill`` requested by
        ``requested_by`` (the same right: a deny by anyone would let anyone block an action)."""
        return self._check(user, skill, "approve", requested_by=requested_by)

    def may_configure(self, user: str, setting: str) -> Decision:
        """Whether ``user`` may change one of Guardian's own settings from chat (``subscriptions``):
        only a role whose ``configure`` names it (or ``*``) may; nobody else, not even ``ask: ["*"]``."""
        settled = self._settled_before_roles(user)
        if settled is not None:
            return settled
        assert self.document is not None  # settled otherwise
        roles = self.roles_of(user)
        granting = [role for role in roles if self._configures(role, setting)]
        if granting:
            return Decision(True, f"role {granting[0]} may configure {setting}", roles)
        would = tuple(role for role in self.document.roles if self._configures(role, setting))
        return Decision(False, self._refusal(user, roles, f"change {setting}", would), roles, would)

    def _settled_before_roles(self, user: str) -> Decision | None:
        """What every check decides before looking at roles: an unusable identity is refused,
        and with no policy document (local single-user mode) everything is allowed."""
        problem = identity_problem(user)
        if problem:
            return Decision(False, f"Refused: {problem}.")
        if self.document is None:
            return Decision(True, "no access policy: local single-user mode")
        return None

    def _configures(self, role: str, setting: str) -> bool:
        assert self.document is not None
        spec = self.document.roles.get(role)
        return spec is not None and any(name in ("*", setting) for name in spec.configure)

    def _check(self, user: str, skill: str, right: str, requested_by: str | None) -> Decision:
        """One decision for either right: identity first, then the open mode, then (for
        decisions) the requester rule, then the roles."""
        settled = self._settled_before_roles(user)
        if settled is not None:
            return settled
        assert self.document is not None  # settled otherwise
        roles = self.roles_of(user)
        would = self._granting_roles(right, skill)
        if requested_by is not None and user == requested_by and not self.document.requester_may_approve:
            return Decision(False, f"Refused: {user} asked for this action and the policy does not let the "
                                   "requester decide it (requester_may_approve: false); someone else must.",
                            roles, would)
        granting = [role for role in roles if self._grants(role, right, skill)]
        if granting:
            return Decision(True, f"role {granting[0]} may {right} {skill}", roles)
        what = f"use {skill}" if right == "ask" else f"approve {skill}"
        return Decision(False, self._refusal(user, roles, what, would), roles, would)

    def approval_rule(self, skill: str) -> str:
        """Who may decide an approval for ``skill``, in words ("role oncall or admin, not the person
        who asked"): what a person asking how an action is carried out needs to know."""
        if self.document is None:
            return "anyone (no access policy)"
        roles = self._granting_roles("approve", skill)
        who = f"role {' or '.join(roles)}" if roles else "no role in the access policy"
        return who + ("" if self.document.requester_may_approve or not roles else ", not the person who asked")

    def _grants(self, role: str, right: str, skill: str) -> bool:
        assert self.document is not None
        spec = self.document.roles.get(role)
        patterns = (spec.ask if right == "ask" else spec.approve) if spec else []
        return any(pattern_matches(pattern, skill) for pattern in patterns)

    def _granting_roles(self, right: str, skill: str) -> tuple[str, ...]:
        assert self.document is not None
        return tuple(role for role in self.document.roles if self._grants(role, right, skill))

    @staticmethod
    def _refusal(user: str, roles: tuple[str, ...], what: str, would: tuple[str, ...]) -> str:
        held = f"your roles ({', '.join(roles)})" if roles else "you have no role"
        if would:
            return f"Refused: {user} may not {what}: {held} do not allow it; role {' or '.join(would)} would."
        return f"Refused: {user} may not {what}: no role in the access policy allows it."


# --------------------------------------------------------------------------- loading


def load_policy(path: Path | None) -> AccessPolicy:
    """The policy in ``path``, or the open local mode when no path is set. Any problem is a
    PolicyError naming the file and, where it can, the line."""
    if path is None:
        return AccessPolicy.open()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise PolicyError(f"GUARDIAN_POLICY {path}: no such file.") from exc
    except UnicodeDecodeError as exc:
        raise PolicyError(f"GUARDIAN_POLICY {path}: not UTF-8 text (byte {exc.start}).") from exc
    except OSError as exc:
        raise PolicyError(f"GUARDIAN_POLICY {path}: cannot read it ({exc.strerror}).") from exc
    return AccessPolicy(parse_policy(text, str(path)), str(path))


def parse_policy(text: str, source: str = "policy") -> PolicyFile:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f" line {mark.line + 1}" if mark else ""
        raise PolicyError(f"GUARDIAN_POLICY {source}{line}: {exc.problem or exc}.") from exc
    except yaml.YAMLError as exc:
        raise PolicyError(f"GUARDIAN_POLICY {source}: {exc}.") from exc
    if not isinstance(data, dict):
        raise PolicyError(f"GUARDIAN_POLICY {source} line 1: expected a mapping with 'roles', 'users', "
                          "'default_roles' and 'requester_may_approve'.")
    try:
        document = PolicyFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first.get("loc", ()))
        where = ".".join(str(part) for part in loc) or "document"
        raise PolicyError(f"GUARDIAN_POLICY {source} line {_line_of(root, loc)}: {where}: "
                          f"{_message(first)}.") from exc
    _check_references(document, root, source)
    return document


def _message(error: Any) -> str:
    message = str(error.get("msg", "invalid"))
    return re.sub(r"^Value error, ", "", message)


def _check_references(document: PolicyFile, root: Any, source: str) -> None:
    for user, roles in document.users.items():
        problem = identity_problem(user)
        if problem:
            raise PolicyError(f"GUARDIAN_POLICY {source} line {_line_of(root, ('users', user))}: users: {problem}.")
        for role in roles:
            if role not in document.roles:
                raise PolicyError(f"GUARDIAN_POLICY {source} line {_line_of(root, ('users', user))}: user "
                                  f"{user!r} has unknown role {role!r}.")
    for role in document.default_roles:
        if role not in document.roles:
            raise PolicyError(f"GUARDIAN_POLICY {source} line {_line_of(root, ('default_roles',))}: "
                              f"default_roles names unknown role {role!r}.")


def _line_of(node: Any, loc: tuple[Any, ...]) -> int:
    """The 1-based line of the YAML node at ``loc`` (the deepest one found)."""
    best = node
    for part in loc:
        child = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == str(part):
                    child = value if part != loc[-1] or isinstance(value, yaml.CollectionNode) else key
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            child = node.value[part]
        if child is None:
            break
        node = best = child
    mark = getattr(best, "start_mark", None)
    return (mark.line + 1) if mark is not None else 1
