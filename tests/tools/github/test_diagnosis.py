"""The cause classifier and the failing step's section, over realistic GitHub Actions log
excerpts (timestamped lines, ``##[group]`` per step, ``##[error]`` at the end)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tools.github.diagnosis import CAUSES, clean, diagnose, seek

START = datetime(2026, 3, 2, 9, 15, 0, tzinfo=UTC)


def stamped(lines: list[str], start: datetime = START, every: float = 0.5) -> str:
    """Lines as a job log writes them: ``2026-03-02T09:15:00.5000000Z text``."""
    out = []
    for index, line in enumerate(lines):
        moment = start + timedelta(seconds=index * every)
        out.append(f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond:06d}0Z {line}")
    return "\n".join(out) + "\n"


# Each excerpt: the failing step's lines; the line that names the cause is marked with a
# trailing "  <-" in the table below and stored without it.
EXCERPTS: dict[str, tuple[list[str], str]] = {
    "flaky_test": ([
        "##[group]Run pytest -n 2 --reruns 2",
        "============================= test session starts ==============================",
        "tests/test_orders.py::test_checkout_reserves_stock RERUN                 [ 41%]",
        "tests/test_orders.py::test_checkout_reserves_stock RERUN                 [ 41%]",
        "tests/test_orders.py::test_checkout_reserves_stock FAILED                [ 41%]",
        "E       AssertionError: assert 'reserved' == 'pending'",
        "FAILED tests/test_orders.py::test_checkout_reserves_stock - AssertionError: assert 'reserved' == 'pending'",
        "==== 1 failed, 388 passed, 2 rerun in 94.12s (0:01:34) ====",
        "##[error]Process completed with exit code 1.",
    ], "tests/test_orders.py::test_checkout_reserves_stock RERUN                 [ 41%]"),
    "dependency_resolution": ([
        "##[group]Run pip install -r requirements.txt",
        "Collecting boto3==1.35.0",
        "ERROR: Cannot install -r requirements.txt (line 4) and botocore==1.34.10 because these package "
        "versions have conflicting dependencies.",
        "The conflict is caused by:",
        "    The user requested botocore==1.34.10",
        "    boto3 1.35.0 depends on botocore<1.36.0 and >=1.35.0",
        "ERROR: ResolutionImpossible: for help visit https://pip.pypa.io/en/latest/topics/dependency-resolution/",
        "##[error]Process completed with exit code 1.",
    ], "The conflict is caused by:"),
    "out_of_memory": ([
        "##[group]Run ./gradlew test",
        "> Task :service:test",
        "OrderServiceTest > bulkImport() FAILED",
        "    java.lang.OutOfMemoryError: Java heap space",
        "        at java.base/java.util.Arrays.copyOf(Arrays.java:3537)",
        "FAILURE: Build failed with an exception.",
        "##[error]Process completed with exit code 1.",
    ], "    java.lang.OutOfMemoryError: Java heap space"),
    "timeout": ([
        "##[group]Run npm run e2e",
        "> playwright test",
        "Running 48 tests using 2 workers",
        "  ✓  41 [chromium] › checkout.spec.ts:12:5 › pays with a card (3.2s)",
        "##[error]The job running on runner GitHub Actions 12 has exceeded the maximum execution time of 30 "
        "minutes.",
        "##[error]The operation was canceled.",
    ], "##[error]The job running on runner GitHub Actions 12 has exceeded the maximum execution time of 30 "
       "minutes."),
    "migration_conflict": ([
        "##[group]Run alembic upgrade head",
        "INFO  [alembic.runtime.migration] Context impl PostgresqlImpl.",
        "ERROR [alembic.util.messaging] Multiple head revisions are present for given argument 'head'; please "
        "specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for "
        "all heads",
        "  FAILED: Multiple head revisions are present for given argument 'head'",
        "##[error]Process completed with exit code 255.",
    ], "ERROR [alembic.util.messaging] Multiple head revisions are present for given argument 'head'; please "
       "specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for "
       "all heads"),
    "missing_secret": ([
        "##[group]Run aws-actions/configure-aws-credentials@v4",
        "with:",
        "  aws-region: eu-west-1",
        "##[error]Input required and not supplied: role-to-assume",
    ], "##[error]Input required and not supplied: role-to-assume"),
}


def test_every_cause_has_an_excerpt() -> None:
    assert set(EXCERPTS) == {cause.name for cause in CAUSES}


@pytest.mark.parametrize("cause", sorted(EXCERPTS))
def test_each_cause_is_named_with_its_evidence_line(cause: str) -> None:
    lines, evidence = EXCERPTS[cause]
    found = diagnose(stamped(lines))
    assert found.cause is not None and found.cause.name == cause
    assert found.evidence == evidence[:300]
    assert found.error_lines  # the error lines are quoted too
    assert found.error_lines[-1] == lines[-1]  # ... down to the step's last error


def test_a_plain_test_failure_has_no_known_cause_but_still_quotes_the_errors() -> None:
    lines = [
        "##[group]Run npm test -- --ci",
        "> jest --ci",
        "PASS src/cart/__tests__/items.test.ts",
        "FAIL src/cart/__tests__/totals.test.ts",
        "  ● cart totals › applies the discount before tax",
        "    expect(received).toBe(expected) // Object.is equality",
        "    Expected: 107.99  Received: 108.54",
        "      at Object.<anonymous> (src/cart/__tests__/totals.test.ts:42:31)",
        "Tests:       1 failed, 211 passed, 212 total",
        "##[error]Process completed with exit code 1.",
    ]
    found = diagnose(stamped(lines))
    assert found.cause is None and found.evidence is None
    assert "FAIL src/cart/__tests__/totals.test.ts" in found.error_lines
    assert "    Expected: 107.99  Received: 108.54" in found.error_lines  # context after the error line
    assert found.error_lines[-1] == "##[error]Process completed with exit code 1."


def test_only_the_failing_steps_section_is_read() -> None:
    """A successful earlier step warns that a token is unset; the failing step ran out of
    memory. Read whole, the log would blame the secret."""
    setup = ["##[group]Run ./scripts/configure-npm.sh", "Warning: NPM_TOKEN is not set; using the public registry",
             "##[endgroup]"]
    failing = ["##[group]Run npm test", *[f"PASS src/t{n}.test.ts" for n in range(50)],
               "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory",
               "##[error]Process completed with exit code 134."]
    step_start = START + timedelta(seconds=10)
    log = stamped(setup) + stamped(failing, start=step_start, every=0.1)
    step_end = step_start + timedelta(seconds=len(failing) * 0.1)
    in_step = diagnose(log, step_start, step_end.replace(microsecond=0))
    assert in_step.section_found
    assert in_step.cause is not None and in_step.cause.name == "out_of_memory"
    assert in_step.evidence == "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory"
    assert "Warning: NPM_TOKEN is not set; using the public registry" not in in_step.tail
    whole = diagnose(log)  # no step times: the whole log, and the wrong culprit
    assert not whole.section_found
    assert whole.cause is not None and whole.cause.name == "missing_secret"


def test_seek_bisects_on_timestamps_and_skips_unstamped_lines() -> None:
    log = stamped(["a", "b"]) + "continuation without a stamp\n" + stamped(["c", "d"], start=START + timedelta(5))
    target = (START + timedelta(5)).strftime("%Y-%m-%dT%H:%M:%S")
    assert log[seek(log, target):].split(" ", 1)[1].startswith("c\n")
    assert seek(log, "0000") == 0
    assert seek(log, "9999") == len(log)


def test_a_log_without_timestamps_is_read_whole() -> None:
    found = diagnose("npm ERR! code ERESOLVE\nnpm ERR! ERESOLVE unable to resolve dependency tree\n",
                     START, START + timedelta(seconds=5))
    assert not found.section_found
    assert found.cause is not None and found.cause.name == "dependency_resolution"
    assert found.evidence == "npm ERR! code ERESOLVE"


def test_clean_strips_the_stamp_colours_and_group_marker() -> None:
    assert clean("2026-03-02T09:15:00.1234567Z \x1b[31m##[group]Run tests\x1b[0m") == "▶ Run tests"
