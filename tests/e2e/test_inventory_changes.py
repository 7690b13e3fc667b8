""""What changed in the infrastructure since yesterday?" through the CLI: `guardian inventory
sync`, an instance stopped with boto3, another sync, then `guardian ask --json`. The home is
the test's own (the session's is synced by other tests too), and the stopped instance is
started again afterwards (``company_as_seeded``, as for every e2e test that stops one)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from sandbox.company import DRIFTWOOD
from tests.e2e.conftest import Cli, base_env
from tests.e2e.test_sandbox_answers import ask, lead, table_rows

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture
def own_cli(sandbox: Any, tmp_path: Path, warm_home: Callable[[Path], Path]) -> Cli:
    return Cli({**base_env(warm_home(tmp_path / "home")), **sandbox.env})


def test_what_changed_since_yesterday_is_the_difference_between_syncs(own_cli: Cli, sandbox: Any,
                                                                      company_as_seeded: None) -> None:
    seeded = next(i for i in DRIFTWOOD.instances if i.state == "running")
    ec2 = sandbox.boto_session().client("ec2", region_name=seeded.region)
    found = ec2.describe_instances(Filters=[{"Name": "tag:Name", "Values": [seeded.name]}])
    instance_id = found["Reservations"][0]["Instances"][0]["InstanceId"]

    first = own_cli("inventory", "sync", "--json")
    assert first.returncode == 0, first.stderr
    ec2.stop_instances(InstanceIds=[instance_id])
    second = own_cli("inventory", "sync", "--json")
    assert second.returncode == 0, second.stderr

    answer = ask(own_cli, "what changed in the infrastructure since yesterday?")
    assert answer["skill"] == "cicd.changes"
    assert [tool["name"] for tool in answer["tools"]] == ["knowledge_inventory_changes"]
    yesterday = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%d")
    assert lead(answer).startswith(f"No inventory snapshot was taken at or before {yesterday} 00:00 UTC; the "
                                   "oldest is from ")
    assert lead(answer).endswith(": 0 added, 0 removed, 1 changed.")
    assert ["changed", "aws", "ec2", seeded.name, instance_id, "state: running -> stopped"] in [
        row[:6] for row in table_rows(answer)]
    assert len(table_rows(answer)) == 2  # the header and the one change
    assert [c["source"][:19] for c in answer["citations"]] == ["inventory/snapshot/"] * 2
