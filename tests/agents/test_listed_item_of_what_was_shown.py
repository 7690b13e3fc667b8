""""The web one" after a list of failed runs is the failed run of web the answer showed, even
when the tool's rows (every recent run) hold other runs of web too; a run described by a whole
word of its repository's name ("the ledger one" of acme/ledger-svc) is that repository's."""

from __future__ import annotations

from agents.clarified import ITEMS, RUN_KIND
from agents.conversations import TurnContext
from agents.followup import apply_context
from agents.route import Route


def _run(run_id: str, repo: str, state: str, detail: str) -> dict[str, str]:
    return {"id": run_id, "name": "", "region": "", "env": "", "kind": RUN_KIND, "cloud": "github", "state": state,
            "service": repo, "event": "push", "detail": detail}


RUNS = [_run("8800000011", "ledger-svc", "failure", "Deploy main kim"),
        _run("8800000012", "ledger-svc", "success", "CI main kim"),
        _run("8800000021", "web-portal", "failure", "CI feat/dark-mode raj"),
        _run("8800000022", "web-portal", "success", "Deploy main raj")]
FAILED = TurnContext("cicd.status", {ITEMS: RUNS}, ["8800000011", "8800000021"])


def _rerun(text: str) -> Route:
    return Route(text=text, agent="cicd", skill="cicd.rerun", confidence=0.95, slots={"action": "rerun"})


def test_the_one_the_words_describe_among_the_runs_shown() -> None:
    followed = apply_context(_rerun("rerun the portal one"), FAILED, 0.45)
    assert followed.slots["run_id"] == "8800000021"


def test_the_one_after_the_one_ruled_out() -> None:
    followed = apply_context(_rerun("no not the ledger one, the portal one - kick it again"), FAILED, 0.45)
    assert followed.slots["run_id"] == "8800000021"
    other = apply_context(_rerun("not the portal one, the ledger one. retry that"), FAILED, 0.45)
    assert other.slots["run_id"] == "8800000011"


def test_several_shown_runs_fitting_pick_none() -> None:
    """Both ledger runs shown: "the ledger one" is neither, so no run is lent (the tool asks)."""
    both = TurnContext("cicd.status", {ITEMS: RUNS}, ["8800000011", "8800000012"])
    assert apply_context(_rerun("rerun the ledger one"), both, 0.45).slots == {"action": "rerun"}
