"""The shared inventory filters: an excluded environment means the same on every cloud."""

from __future__ import annotations

from types import SimpleNamespace

from tools.filters import env_matches, matches


def test_an_environment_with_a_bang_is_every_other_one() -> None:
    assert env_matches("staging", "!prod")
    assert env_matches("", "!production")  # untagged is not prod either
    assert not env_matches("production", "!prod")
    assert env_matches("production", "prod")


def test_matches_applies_the_exclusion() -> None:
    args = SimpleNamespace(tag_key=None, tag_value=None, env="!dev", service=None)
    assert matches(args, tags={}, env="prod", service="web", name="web-1")
    assert not matches(args, tags={}, env="development", service="web", name="web-2")

