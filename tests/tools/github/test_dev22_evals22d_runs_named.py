"""A status answer says what each run builds, and a workflow is found by one word of a
display name of several words (dev22, evals22d)."""

from __future__ import annotations

from sandbox.saas_company import SaasCompany
from tools.base import ToolContext
from tools.github.client import describes, workflow_matches
from tools.registry import ToolRegistry


def test_a_status_names_what_the_failed_and_running_runs_build(company: SaasCompany, ctx: ToolContext,
                                                               registry: ToolRegistry) -> None:
    result = registry.invoke("github_workflow_runs", {"service": "payments"}, ctx)
    runs = company.github.runs_of("driftwood/payments-api")
    failed = next(run for run in runs if run.conclusion == "failure")
    running = next(run for run in runs if run.status != "completed")
    assert f'"{failed.display_title}"' in result.summary
    assert f'"{running.display_title}"' in result.summary
    assert "title" in result.columns
    assert {row["title"] for row in result.rows} >= {failed.display_title, running.display_title}


def test_one_word_of_a_long_workflow_name_picks_that_workflow() -> None:
    assert workflow_matches("apply", "Terraform apply", ".github/workflows/deploy.yml")
    assert workflow_matches("plan", "Terraform plan", ".github/workflows/ci.yml")
    assert not workflow_matches("form", "Terraform plan", ".github/workflows/ci.yml")
    assert workflow_matches("deploy", "Deploy", ".github/workflows/release.yml")


def test_the_apply_workflow_of_the_terraform_repository_is_found(ctx: ToolContext, registry: ToolRegistry) -> None:
    result = registry.invoke("github_workflow_runs", {"workflow": "apply"}, ctx)
    assert result.status == "ok"
    assert {row["workflow"] for row in result.rows} == {"Terraform apply"}


def test_a_closed_compound_matches_the_description_written_open() -> None:
    assert describes("Back end API for orders", "Go", "backend")
    assert describes("Shop front-end", "TypeScript", "frontend")
    assert not describes("Front door service", "Go", "frontend")
    assert not describes("Back end API", "Go", "back-end")  # already hyphenated: matched as written only
