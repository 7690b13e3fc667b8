"""dev23 (evals23c): a listing asked for a region Guardian does not cover ("servers in Sao
Paulo?") that finds nothing says which regions it does cover, so "nothing" is not read as
"nothing anywhere"; a covered region with nothing in it says only that."""

from __future__ import annotations

from typing import Any

from tools.aws.inventory import InventoryArgs, inventory
from tools.base import ToolContext


def test_an_empty_region_outside_the_covered_ones_names_the_covered_ones(ctx: ToolContext, reset_aws: Any) -> None:
    reset_aws()
    result = inventory(ctx, InventoryArgs(resource_type="ec2", region="sa-east-1"))
    assert result.status == "no_data"
    assert "sa-east-1" in result.summary
    assert all(region in result.summary for region in ctx.regions)


def test_an_empty_covered_region_says_nothing_more(ctx: ToolContext, reset_aws: Any) -> None:
    reset_aws()
    result = inventory(ctx, InventoryArgs(resource_type="rds", region=ctx.regions[0]))
    assert result.status == "no_data"
    assert "covers" not in result.summary
