"""dev17 (evals17d): describing a resource by its kind alone, and a tie between kinds broken by
the kind the conversation was about, against resources this module creates in moto."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import boto3
import pytest

from tools.aws.inventory import DescribeArgs, describe_resource
from tools.base import ToolContext
from tools.resolve import Candidate, sole_candidate


def _code() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return 1\n")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def made(reset_aws: Any) -> dict[str, Any]:
    reset_aws()
    ec2 = boto3.client("ec2", region_name="us-east-1")
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="tally-dump")
    role = boto3.client("iam", region_name="us-east-1").create_role(
        RoleName="k17-fn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    boto3.client("lambda", region_name="us-east-1").create_function(
        FunctionName="tally-hook", Runtime="python3.11", Role=role, Handler="handler.handler",
        Code={"ZipFile": _code()})
    subnets = [s["SubnetId"] for s in ec2.describe_subnets()["Subnets"]][:2]
    boto3.client("eks", region_name="us-east-1").create_cluster(
        name="k17-fleet", version="1.28", roleArn="arn:aws:iam::123456789012:role/eks",
        resourcesVpcConfig={"subnetIds": subnets})
    return {"bucket": "tally-dump"}


def test_the_only_cluster_is_described_when_the_words_name_its_kind_alone(ctx: ToolContext, made: Any) -> None:
    result = describe_resource(ctx, DescribeArgs(resource_id="quick one, which kubernetes release is our cluster at"))
    assert result.status == "ok", result.summary
    assert "k17-fleet" in result.resources and "1.28" in str(result.facts)


def test_a_tie_between_kinds_goes_to_the_kind_asked_about(ctx: ToolContext, made: Any) -> None:
    tied = describe_resource(ctx, DescribeArgs(resource_id="memory on the tally one?"))
    assert tied.status != "ok"  # a bucket and a function both fit: the answer asks which
    picked = describe_resource(ctx, DescribeArgs(resource_id="memory on the tally one?", resource_type="lambda"))
    assert picked.status == "ok", picked.summary
    assert "tally-hook" in picked.resources


def test_the_sole_candidate_needs_exactly_one_of_the_kind_said() -> None:
    one = [Candidate("eks", "c1", "fleet-a", "us-east-1"), Candidate("ec2", "i-1", "web-a", "us-east-1")]
    two = [*one, Candidate("eks", "c2", "fleet-b", "eu-west-1")]
    assert sole_candidate("what version is the k8s cluster", one) == one[0]
    assert sole_candidate("what version is the k8s cluster", two) is None
    assert sole_candidate("what version is the k8s cluster in ireland", two) == two[2]
    assert sole_candidate("what version is the fleet-z cluster", one) is None  # a name written whole must hold
    assert sole_candidate("what version is it on", one) is None  # no kind said
