"""What `guardian scan security` must report for a seeded company: the (check, resource)
pairs derived from the company data and the ids AWS assigned when it was seeded."""

from __future__ import annotations

from typing import Any

from sandbox.company import DRIFTWOOD_AZURE, AzureAccount, Company, GcpProject


def _resolve(seeded: dict[str, Any], kind: str, name: str) -> str:
    table = {"instance": "instances", "security_group": "security_groups", "volume": "volumes"}.get(kind, "arns")
    return str(seeded[table][name])


def expected_pairs(company: Company, seeded: dict[str, Any]) -> set[tuple[str, str]]:
    """Every (check, resource) the scan must report for ``company`` as seeded."""
    groups = seeded["security_groups"]
    pairs = {("public_bucket", b.name) for b in company.public_buckets()}
    pairs |= {("unencrypted_bucket", b.name) for b in company.unencrypted_buckets()}
    pairs |= {("open_security_group", groups[f"{g.region}/{g.name}"]) for g in company.world_open_groups()}
    pairs |= {("iam_no_mfa", u.name) for u in company.users_without_mfa()}
    pairs |= {("iam_old_access_key", u.name) for u in company.users_with_old_keys()}
    pairs |= {("iam_unused_access_key", u.name) for u in company.users_with_unused_keys()}
    pairs |= {("iam_admin_user", u.name) for u in company.admins()}
    pairs |= {("iam_admin_policy", p.name) for p in company.admin_policies()}
    if company.admins():  # the AWS-managed AdministratorAccess, attached to them
        pairs.add(("iam_admin_policy", "AdministratorAccess"))
    if company.root_access_keys:
        pairs.add(("iam_root_access_keys", "root"))
    pairs |= {("iam_unused_role", r.name) for r in company.unused_roles()}
    pairs |= {("unencrypted_volume", seeded["volumes"][v.name]) for v in company.unencrypted_volumes()}
    pairs |= {("unencrypted_snapshot", seeded["snapshots"][s.name]) for s in company.unencrypted_snapshots()}
    pairs |= {("unencrypted_database", d.identifier) for d in company.unencrypted_databases()}
    pairs |= {("cloudtrail_not_logging", region) for region in company.regions_without_logging_trail()}
    pairs |= {("securityhub_finding", _resolve(seeded, *f.resource)) for f in company.hub_findings}
    pairs |= {("guardduty_finding", f.resource[1] if f.resource[0] == "bucket" else _resolve(seeded, *f.resource))
              for f in company.active_guardduty_findings()}
    return pairs


def azure_expected_pairs(account: AzureAccount = DRIFTWOOD_AZURE) -> set[tuple[str, str]]:
    """Every (check, resource) the scan must report for the Azure subscription: the NSGs with
    a rule opening a non-web port to the internet and the accounts allowing public blobs."""
    pairs = {("azure_nsg_open_to_internet", account.nsg_id(nsg)) for nsg in account.open_nsgs()}
    return pairs | {("azure_storage_public_blob_access", account.storage_id(sa))
                    for sa in account.public_storage_accounts()}


def gcp_expected_pairs(project: GcpProject) -> set[tuple[str, str]]:
    """Every (check, resource) the scan must report for the Google Cloud ``project``."""
    return ({("open_firewall_rule", rule.name) for rule in project.open_firewall_rules()}
            | {("public_bucket", bucket.name) for bucket in project.public_buckets()})
