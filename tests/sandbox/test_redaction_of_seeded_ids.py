"""Every id moto assigned to the seeded company survives redaction; access key ids, the
one kind of id that is also half a credential, leave shortened to prefix and last four."""

from __future__ import annotations

import pytest

from sandbox.aws import SeededIds
from tools.redaction import sanitize

pytestmark = pytest.mark.slow  # starts the sandbox (moto)


def test_seeded_resource_ids_survive(ids: SeededIds) -> None:
    keys = {key for keys in ids.access_keys.values() for key in keys}
    others = ids.all_ids() - keys
    assert len(others) > 30
    assert {i: sanitize(i) for i in others if sanitize(i) != i} == {}
    names = {*ids.instances, *ids.security_groups, *ids.volumes, *ids.elastic_ips, *ids.arns}
    assert {n: sanitize(n) for n in names if sanitize(n) != n} == {}


def test_seeded_access_key_ids_are_shortened(ids: SeededIds) -> None:
    keys = {key for keys in ids.access_keys.values() for key in keys}
    assert keys
    for key in keys:
        assert sanitize(f"key {key} is old") == f"key {key[:4]}…{key[-4:]} is old"
