"""The inventory filters every cloud's tools share: tags (AWS) and labels (Google Cloud) by key
and value, the environment under its usual spellings, and the service by tag or name. One
definition, so "payments in prod" selects the same resources on AWS, Azure and Google Cloud."""

from __future__ import annotations

from typing import Protocol

ENV_ALIASES = {"prod": "prod", "production": "prod", "prd": "prod", "staging": "staging", "stage": "staging",
               "stg": "staging", "dev": "dev", "development": "dev", "qa": "qa", "sandbox": "sandbox"}


class ResourceFilter(Protocol):
    """The filter fields of an inventory tool's arguments."""

    tag_key: str | None
    tag_value: str | None
    env: str | None
    service: str | None


def tags_match(tags: dict[str, str], tag_key: str | None, tag_value: str | None) -> bool:
    """Case-insensitive tag filter; a key alone matches any value."""
    if not tag_key:
        return True
    lowered = {key.lower(): value for key, value in tags.items()}
    if tag_key.lower() not in lowered:
        return False
    return tag_value is None or lowered[tag_key.lower()].lower() == tag_value.lower()


def same_env(env: str, wanted: str) -> bool:
    """``prod`` and ``production`` (and the other usual pairs) name one environment."""
    def canonical(value: str) -> str:
        return ENV_ALIASES.get(value.lower(), value.lower())

    return canonical(env) == canonical(wanted)


def env_matches(env: str, wanted: str) -> bool:
    """``wanted`` is one environment, or with a leading "!" every other one ("!prod" is
    staging, dev and untagged resources: what "not prod" asks for)."""
    if wanted.startswith("!"):
        return not same_env(env, wanted[1:])
    return same_env(env, wanted)


def matches(args: ResourceFilter, *, tags: dict[str, str], env: str, service: str, name: str) -> bool:
    """Whether a resource with these tags, environment, service and name passes ``args``; the
    service may also be named by a part of the resource's name, or by the person owning it
    ("what belongs to carol": her owner tag, as "what belongs to checkout" is a service tag)."""
    if not tags_match(tags, args.tag_key, args.tag_value):
        return False
    if args.env and not env_matches(env, args.env):
        return False
    if args.service:
        needle = args.service.lower()
        owner = next((value for key, value in tags.items() if key.lower() == "owner"), "")
        return needle == service.lower() or needle in name.lower() or needle == owner.lower()
    return True
