"""Plain words to one resource: Name-tag and service words, kind and env hints, a question
back when several fit equally."""

from __future__ import annotations

import pytest

from tools.resolve import AmbiguousResource, Candidate, Phrase, resolve

FLEET = [
    Candidate("ec2", "i-0001", "search-indexer-1", "us-east-1", "prod", "search"),
    Candidate("ec2", "i-0002", "search-eu-1", "eu-west-1", "prod", "search"),
    Candidate("ec2", "i-0003", "payments-api-1", "us-east-1", "prod", "payments"),
    Candidate("ec2", "i-0004", "payments-api-2", "us-east-1", "prod", "payments"),
    Candidate("ec2", "i-0005", "ledger-worker", "us-east-1", "prod", "ledger"),
    Candidate("ec2", "i-0006", "checkout-web-staging", "us-east-1", "staging", "checkout"),
    Candidate("ec2", "i-0007", "checkout-web-1", "us-east-1", "prod", "checkout"),
    Candidate("rds", "payments-db", "payments-db", "us-east-1", "prod", "payments"),
]


@pytest.mark.parametrize(("text", "expected"), [
    ("please stop the ledger worker box", "i-0005"),
    ("can u reboot the search indexer box", "i-0001"),
    ("reboot payments api 2", "i-0004"),
    ("describe the payments db in prod", "payments-db"),
    ("the checkout box in staging", "i-0006"),
    ("what's wrong with search-indexer", "i-0001"),
])
def test_one_best_match_resolves(text: str, expected: str) -> None:
    resolution = resolve(text, FLEET)
    assert resolution.match is not None and resolution.match.id == expected


def test_kind_words_and_the_callers_kinds_narrow_the_pool() -> None:
    assert resolve("stop the payments box", FLEET, kinds=("ec2",)).ambiguous == (FLEET[2], FLEET[3])
    only_db = resolve("payments database", FLEET)
    assert only_db.match is not None and only_db.match.kind == "rds"


def test_several_equal_fits_are_a_question_listing_them() -> None:
    resolution = resolve("restart the search box", FLEET)
    assert {c.id for c in resolution.ambiguous} == {"i-0001", "i-0002"}
    question = str(AmbiguousResource("restart the search box", resolution.ambiguous))
    assert question.startswith('Several resources match "search": search-indexer-1 (i-0001), ec2 in us-east-1')
    assert "search-eu-1 (i-0002), ec2 in eu-west-1" in question and question.endswith("Name it by its Name tag or id.")


def test_words_that_name_nothing_resolve_nothing() -> None:
    assert Phrase.parse("please reboot the box").name_words == ()
    assert resolve("please reboot the box", FLEET).match is None
    assert resolve("reboot the quantum flux box", FLEET).match is None


@pytest.mark.parametrize("text", [
    "who owns web-frontend-1?",  # an Azure VM's name: checkout-web-1 shares "web" and "1" only
    "where does gce-payments-api-1 run",
    "stop payments-api-9",
])
def test_a_name_written_whole_is_never_swapped_for_a_resource_sharing_some_of_its_words(text: str) -> None:
    resolution = resolve(text, FLEET)
    assert resolution.match is None and resolution.ambiguous == ()


@pytest.mark.parametrize(("text", "expected"), [
    ("stop the ledger-worker", "i-0005"),
    ("reboot payments-api-2 in us-east-1", "i-0004"),  # the region is not part of the name
    ("logs of the search-indexer box in us-east-1a", "i-0001"),
    ("describe checkout-web-staging", "i-0006"),
])
def test_a_name_written_whole_resolves_when_a_resource_holds_it(text: str, expected: str) -> None:
    resolution = resolve(text, FLEET)
    assert resolution.match is not None and resolution.match.id == expected


def test_a_trait_the_words_name_picks_the_one_resource_having_it() -> None:
    boxes = [Candidate("ec2", "vm-1", "build-agent-1", "eastus", traits=("linux",)),
             Candidate("ec2", "vm-2", "build-agent-2", "eastus", traits=("windows",))]
    resolution = resolve("the windows build agent", boxes)
    assert resolution.match is not None and resolution.match.id == "vm-2"


def test_a_question_over_a_partial_match_says_nothing_has_the_name_asked_for() -> None:
    """Two workers share only "worker" with "the billing worker box": they are offered, not
    presented as what was named."""
    fleet = [Candidate("ec2", "i-0101", "payments-worker-1", "eastus", "prod", "payments", shown_kind="Azure VM"),
             Candidate("ec2", "i-0102", "payments-worker-2", "eastus", "prod", "payments", shown_kind="Azure VM")]
    resolution = resolve("stop the billing worker box", fleet)
    assert resolution.ambiguous == tuple(fleet)
    question = str(AmbiguousResource("stop the billing worker box", resolution.ambiguous))
    assert question.startswith('Nothing is named "billing worker"; 2 resources match "worker" only: '
                               "payments-worker-1 (i-0101), Azure VM in eastus, env prod; ")
    assert question.endswith("Did you mean one of them? Name it by its Name tag or id.")


def test_words_match_in_any_inflection_and_the_instance_type_describes_a_box() -> None:
    fleet = [Candidate("ec2", "i-0101", "invoices-archive-1", "eu-west-1", "prod", "billing", traits=("r4.large",)),
             Candidate("ec2", "i-0102", "billing-api-1", "eu-west-1", "prod", "billing", traits=("m6i.large",))]
    archiving = resolve("the r4 invoicing box is stuck, restart it", fleet)
    assert archiving.match is not None and archiving.match.id == "i-0101"
    by_type = resolve("bounce the m6i machine", fleet)
    assert by_type.match is not None and by_type.match.id == "i-0102"


def test_load_balancer_and_container_words_narrow_the_kind() -> None:
    fleet = [*FLEET, Candidate("load_balancer", "checkout-lb", "checkout-lb", "us-east-1", "prod", "checkout"),
             Candidate("ecs_service", "checkout-tasks", "checkout-tasks", "us-east-1", "prod", "checkout")]
    balancer = resolve("is the checkout load balancer healthy", fleet)
    assert balancer.match is not None and balancer.match.kind == "load_balancer"
    service = resolve("how many ecs tasks does checkout run", fleet)
    assert service.match is not None and service.match.kind == "ecs_service"


@pytest.mark.parametrize(("text", "expected"), [("reboot the search box in europe", "i-0002"),
                                                ("the search server over in virginia", "i-0001")])
def test_a_place_word_narrows_to_its_regions(text: str, expected: str) -> None:
    resolution = resolve(text, FLEET)
    assert resolution.match is not None and resolution.match.id == expected
    assert resolve("the payments box in asia", FLEET).match is None


# Databases as a listing shows them: their engine and class are traits a person picks one by.
ENGINES = [
    Candidate("rds", "orders-db", "orders-db", "us-east-1", "prod", "orders", traits=("postgres db.r6g.large",)),
    Candidate("rds", "ledger-db", "ledger-db", "us-east-1", "prod", "ledger", traits=("mysql db.t3.medium",)),
    Candidate("rds", "events-warehouse", "events-warehouse", "eu-west-1", "prod", "events",
              traits=("postgres db.r5.xlarge",)),
    Candidate("ec2", "i-0009", "ledger-worker", "us-east-1", "prod", "ledger", traits=("m5.large",)),
]


def test_an_engine_word_alone_picks_the_one_database_running_it() -> None:
    found = resolve("and give me more on that mysql database", ENGINES)
    assert found.match is not None and found.match.id == "ledger-db"
    assert Phrase.parse("more on the mysql one").names_something


def test_an_engine_word_shared_by_several_databases_is_a_question() -> None:
    found = resolve("show me our postgres", ENGINES)
    assert {c.id for c in found.ambiguous} == {"orders-db", "events-warehouse"}
    with pytest.raises(AmbiguousResource, match='match "postgres"'):
        raise AmbiguousResource("show me our postgres", found.ambiguous)


def test_an_engine_word_narrows_names_and_is_ignored_where_nothing_runs_one() -> None:
    found = resolve("the events postgres", ENGINES)
    assert found.match is not None and found.match.id == "events-warehouse"
    # candidates that say nothing of their engine are not ruled out by one
    assert resolve("orders mysql db", FLEET + ENGINES[:1]).match == ENGINES[0]
    assert resolve("restart the mysql box", ENGINES, kinds=("ec2",)).match is None
