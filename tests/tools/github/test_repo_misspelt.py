"""A repository name with a slip in it ("checkuot-web", "infar"): when exactly one known
repository is that close, it is the one meant; a word like no repository still names none."""

from __future__ import annotations

import pytest

from tools.github.client import misspells


@pytest.mark.parametrize(("full_name", "typed"), [("acme/ledger-service", "ledgr-service"),
                                                  ("acme/storefront-web", "storefornt-web"),
                                                  ("acme/billing-api", "biling-apy")])
def test_a_slip_of_a_letter_or_two_still_names_the_repository(full_name: str, typed: str) -> None:
    assert misspells(full_name, typed)


@pytest.mark.parametrize(("full_name", "typed"), [("acme/ledger-service", "search"),
                                                  ("acme/billing-api", "bill"),
                                                  ("acme/web", "wbe"),
                                                  ("acme/storefront-web", "backoffice-web")])
def test_another_word_or_a_short_one_is_no_misspelling(full_name: str, typed: str) -> None:
    assert not misspells(full_name, typed)
