"""Retrieval quality on (query, expected source) cases: top-1, top-3 and MRR over distinct
sources, so two chunks of one runbook count once. Shared by the tests and the benchmark."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SearchCase:
    query: str
    expected_source: str


@dataclass
class Quality:
    cases: int
    top1: float
    top3: float
    mrr: float
    misses: list[str] = field(default_factory=list)


def source_rank(expected: str, sources: Sequence[str]) -> int:
    """1-based rank of ``expected`` among the distinct sources, 0 when absent."""
    distinct = list(dict.fromkeys(sources))
    return distinct.index(expected) + 1 if expected in distinct else 0


def evaluate(search_many: Callable[[list[str], int], list[list[str]]], cases: Sequence[SearchCase],
             k: int = 10) -> Quality:
    """``search_many`` maps queries to best-first source lists (one per query)."""
    if not cases:
        return Quality(0, 0.0, 0.0, 0.0)
    results = search_many([case.query for case in cases], k)
    ranks = [source_rank(case.expected_source, sources) for case, sources in zip(cases, results, strict=True)]
    misses = [f"{case.query!r}: expected {case.expected_source}, got {list(dict.fromkeys(sources))[:3]}"
              for case, sources, rank in zip(cases, results, ranks, strict=True) if rank != 1]
    n = len(cases)
    return Quality(n, sum(r == 1 for r in ranks) / n, sum(0 < r <= 3 for r in ranks) / n,
                   sum(1 / r for r in ranks if r) / n, misses)


def load_cases(data: object) -> list[SearchCase]:
    """Cases from parsed YAML: a list of {query, expected_source}, or {cases: [...]}."""
    items = data.get("cases", []) if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ValueError("search cases must be a list of {query, expected_source}")
    return [SearchCase(str(item["query"]), str(item["expected_source"])) for item in items]


SERVICES = ("payments", "checkout", "search", "catalog", "auth", "billing", "ledger", "notifications",
            "reporting", "ingest", "gateway", "profile")
REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2")
KINDS = (("ec2", "instance_type", ("t3.medium", "m5.large", "c6i.xlarge", "r6g.large")),
         ("rds", "engine", ("postgres 15", "mysql 8.0", "aurora-postgresql")),
         ("s3", "storage_class", ("STANDARD", "INTELLIGENT_TIERING")),
         ("lambda", "runtime", ("python3.12", "nodejs20.x")))


def synthetic_inventory(count: int, seed: int = 11) -> tuple[list[tuple[str, str, str]], list[SearchCase]]:
    """Inventory documents shaped like ``guardian inventory sync`` writes them (title
    "<kind> <id>", "key: value" lines) and lookups of one resource each, half by its exact
    id, half by its name. Resources share services, regions and types, so only the
    identifier tells them apart: the case exact-match retrieval exists for."""
    import random

    rng = random.Random(seed)
    docs: list[tuple[str, str, str]] = []
    cases: list[SearchCase] = []
    for i in range(count):
        kind, field_name, values = KINDS[i % len(KINDS)]
        service = rng.choice(SERVICES)
        rid = f"i-{rng.getrandbits(68):017x}" if kind == "ec2" else f"{service}-{kind}-{rng.getrandbits(24):06x}"
        name = f"{service}-{rng.choice(('api', 'worker', 'db', 'cache', 'jobs'))}-{i}"
        text = "\n".join([f"id: {rid}", f"name: {name}", f"type: {kind}", f"region: {rng.choice(REGIONS)}",
                          f"{field_name}: {rng.choice(values)}", f"service: {service}",
                          f"team: {service}-team", f"state: {rng.choice(('running', 'stopped', 'available'))}"])
        source = f"inventory/{kind}/{rid}"
        docs.append((source, f"{kind} {rid}", text))
        if i % 7 == 0:
            query = f"what is {rid}" if len(cases) % 2 == 0 else f"which region is {name} in"
            cases.append(SearchCase(query, source))
    return docs, cases
