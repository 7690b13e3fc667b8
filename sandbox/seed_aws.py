"""``seed(endpoint_url) -> dict``: the plain-dict face of ``sandbox/aws.py`` for callers
that want name -> id maps without importing the seeder's dataclass (scripts, the demo, other
helpers' fixtures). One seeding path: this only converts ``SeededIds`` to a dict.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sandbox.aws import SeededIds, seed_company
from sandbox.company import DRIFTWOOD, Company


def as_dict(ids: SeededIds) -> dict[str, Any]:
    """{"instances": {Name: i-...}, "security_groups": {name and region/name: sg-...},
    "volumes": {Name: vol-...}, "root_volumes": {instance Name: vol-...},
    "elastic_ips": {Name: eipalloc-...}, "access_keys": {user: [AKIA...]},
    "arns": {bucket/db/function/user name: ARN}} (copies: callers may mutate them)."""
    return asdict(ids)


def seed(endpoint_url: str, company: Company = DRIFTWOOD) -> dict[str, Any]:
    """Reset the moto server at ``endpoint_url`` (it must run in this process: access-key
    dates are set on moto's in-process backend) and build ``company`` in it."""
    return as_dict(seed_company(endpoint_url, company))
