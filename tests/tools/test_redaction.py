"""The redaction corpus: every planted secret format, in prose, JSON, YAML, log lines and
URLs, is masked; every resource id and name of the sandbox company, and the usual
look-alikes (commit shas, UUIDs, timestamps, ARNs), survives untouched."""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sandbox import saas_company
from sandbox.company import DRIFTWOOD, SECRET_FIXTURE
from tools.base import ToolContext, ToolResult, ToolSpec
from tools.redaction import (
    MASK,
    RedactingFilter,
    is_secret_key,
    redact,
    redact_obj,
    sanitize,
    sanitize_obj,
    strip_controls,
)
from tools.registry import ToolRegistry
from tools.settings import AwsSettings

# --------------------------------------------------------------------------- planted secrets

AKIA = "AKIAZ7Q4W2LMX8RT5NVB"
ASIA = "ASIAY34FZKBOKMUTVV7A"
AWS_SECRET = "hT7/kPq2Vx9LmZr4Wc8NbY1sDf6Gj3Ha5Ke0Ru+Q"
PD_KEY = "y_NbAkKc66ryYTWUXYEu"
PD_USER_KEY = "u+Kq7Tz2Wm9Xc4Vb8Nr3"
PD_ROUTING = "R02e8f1c4a9b7d3e6f5a0c2b4d6e8f1a3"
STRIPE = "sk_live_51HqLyjWDarjtT1zdp7dcXy89"
STRIPE_RESTRICTED = "rk_live_51H8QmZtN4pR7sV2wX9yB3cD"
SLACK_BOT = "xoxb-2222222222-3333333333-Fh7Kq2Lm9Zx4Vb8N"
SLACK_USER = "xoxp-1234567890-0987654321-1122334455-9f8e7d6c5b4a39281706f5e4d3c2b1a0"
SLACK_APP = "xapp-1-A0123456789-1234567890123-9f8e7d6c5b4a3928"
GITHUB_CLASSIC = "ghp_R7kQ2mZx9Lw4Vb8Nc3Ty6Hj1Pd5Sf0Ga2Ke7"
GITHUB_FINE = "github_pat_11ABQ7KZA0x9Lm2Vb8NcT_y6Hj1Pd5Sf0Ga2Ke7R7kQ2mZx9Lw4Vb8Nc3Ty6Hj1Pd5Sf0Ga2Ke"
JWT = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJib2IiLCJyb2xlIjoiYWRtaW4ifQ."
       "3q2Zr9Lw4Vb8Nc3Ty6Hj1Pd5Sf0Ga2Ke7R7kQ2mZx9")
PEM_BODY = "MIIEowIBAAKCAQEAq7Zr9Lw4Vb8Nc3Ty6Hj1Pd5Sf0Ga2Ke7R7kQ2mZx9"
PRIVATE_KEYS = [
    f"-----BEGIN RSA PRIVATE KEY-----\n{PEM_BODY}\nTy6Hj1Pd5Sf0Ga2Ke7R7kQ2\n-----END RSA PRIVATE KEY-----",
    f"-----BEGIN OPENSSH PRIVATE KEY-----\n{PEM_BODY}\n-----END OPENSSH PRIVATE KEY-----",
    f"-----BEGIN EC PRIVATE KEY-----\n{PEM_BODY}",  # truncated
    f"-----BEGIN PRIVATE KEY-----\\n{PEM_BODY}\\n-----END PRIVATE KEY-----",  # escaped, as in JSON
    f"{PEM_BODY}\nTy6Hj1Pd5Sf0Ga2Ke7R7kQ2\n-----END RSA PRIVATE KEY-----",  # the tail alone
]
PASSWORD = "Tr0ub4dor&3x"
SENDGRID = "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"

# Tokens recognisable by their own format, whatever surrounds them.
FORMAT_SECRETS = {
    "aws key id": AKIA, "aws session key id": ASIA, "stripe": STRIPE, "stripe restricted": STRIPE_RESTRICTED,
    "slack bot": SLACK_BOT, "slack user": SLACK_USER, "slack app": SLACK_APP, "github classic": GITHUB_CLASSIC,
    "github fine-grained": GITHUB_FINE, "jwt": JWT, "pagerduty user key": PD_USER_KEY, "sendgrid": SENDGRID,
    "aws secret key": AWS_SECRET,
}
CONTEXTS = {
    "prose": "please use {s} for the deploy",
    "json": '{{"note": "{s}", "user": "bob"}}',
    "yaml": "deploy:\n  note: {s}\n  user: bob",
    "log": "2025-06-01T12:00:03Z ERROR auth failed with credential {s} for user bob",
    "url": "https://api.example.com/v1/hooks?x={s}&page=2",
    "backticks": "run `deploy --with {s}` now",
}

# Secrets recognisable by what names them: (text, the secret that must vanish).
CONTEXT_SECRETS = [
    (f'{{"password": "{PASSWORD}", "user": "bob"}}', PASSWORD),
    (f'{{"db": {{"user": "app", "password":"{PASSWORD}"}}}}', PASSWORD),
    (f"password: {PASSWORD}", PASSWORD),
    (f"database:\n  host: payments-db\n  password: '{PASSWORD}'\n", PASSWORD),
    (f"db_password={PASSWORD}", PASSWORD),
    (f"DB_PASSWORD=\"{PASSWORD}\" ./run", PASSWORD),
    (f"api_key={PD_KEY}", PD_KEY),
    (f'"apiKey": "{PD_KEY}"', PD_KEY),
    (f"PAGERDUTY_API_KEY={PD_KEY}", PD_KEY),
    (f"Authorization: Token token={PD_KEY}", PD_KEY),
    (f"our pagerduty api key is {PD_KEY}", PD_KEY),
    (f'{{"routing_key": "{PD_ROUTING}", "event_action": "trigger"}}', PD_ROUTING),
    (f"integration_key: {PD_ROUTING}", PD_ROUTING),
    (f"aws_secret_access_key = {AWS_SECRET}", AWS_SECRET),
    (f'"SecretAccessKey": "{AWS_SECRET}"', AWS_SECRET),
    (f"export AWS_SECRET_ACCESS_KEY={AWS_SECRET}", AWS_SECRET),
    (f"Authorization: Bearer {GITHUB_CLASSIC[4:]}", GITHUB_CLASSIC[4:]),
    ("authorization: bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0", "9f8e7d6c5b4a39281706f5e4d3c2b1a0"),
    ('curl -H "Authorization: Basic YWxpY2U6czNjcjN0cGFzcw==" https://x', "YWxpY2U6czNjcjN0cGFzcw=="),
    (f"postgresql://app:{PASSWORD}@db.internal:5432/app", PASSWORD),
    (f"mysql+pymysql://root:{PASSWORD}@10.0.3.7/orders", PASSWORD),
    (f"redis://:{PASSWORD}@cache.internal:6379/0", PASSWORD),
    (f"amqp://guest:{PASSWORD}@mq:5672/%2f", PASSWORD),
    (f"https://bob:{PASSWORD}@git.example.com/org/repo.git", PASSWORD),
    (f"cloning https://x-access-token:{GITHUB_CLASSIC[4:]}@github.com/o/r", GITHUB_CLASSIC[4:]),
    (f"{SECRET_FIXTURE} in the log", SECRET_FIXTURE.split("=", 1)[1]),
    (f"--password {PASSWORD} --user bob", PASSWORD),
    (f"client_secret: {PASSWORD}", PASSWORD),
    (f"SLACK_SIGNING_SECRET={PD_ROUTING}", PD_ROUTING),
    (f'token = "{PD_KEY}"', PD_KEY),
    (f"https://api.example.com/v1/export?token={PD_KEY}&page=2", PD_KEY),
    ("https://hooks.slack.com/services/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",
     "Zx9Lw4Vb8Nc3Ty6Hj1Pd5Sf0"),
    ('var password = "Zx9!Qw7#Lm";', "Zx9!Qw7#Lm"),  # detect-secrets' keyword detector
    ("DefaultEndpointsProtocol=https;AccountName=drift;AccountKey="
     "q7Zr9Lw4Vb8Nc3Ty6Hj1Pd5Sf0Ga2Ke7R7kQ2mZx9Lw4Vb8Nc3Ty6Hj1Pd5Sf0Ga2Ke7R7kQ2mZx9Lw4Vb8Nc3Ty6Hj1Pd5Sf0Ga2Ke7==",
     "q7Zr9Lw4Vb8Nc3Ty6Hj1Pd5Sf0Ga2Ke7"),
    *[(key, PEM_BODY) for key in PRIVATE_KEYS],
]


def planted() -> Iterator[Any]:
    for fmt, secret in FORMAT_SECRETS.items():
        for where, template in CONTEXTS.items():
            if fmt == "aws secret key" and where == "url":
                continue  # '/' and '+' are URL syntax: a bare key is only seen outside URLs
            yield pytest.param(template.format(s=secret), secret, id=f"{fmt}-{where}")
    for i, (text, secret) in enumerate(CONTEXT_SECRETS):
        yield pytest.param(text, secret, id=f"context-{i}")


@pytest.mark.parametrize(("text", "secret"), planted())
def test_planted_secret_is_masked(text: str, secret: str) -> None:
    out = sanitize(f"before {text} after")
    assert secret not in out
    assert out.startswith("before ") and out.endswith(" after")
    assert "[REDACTED" in out or "…" in out


def test_aws_key_ids_stay_recognisable() -> None:
    """Key ids keep their prefix and last four characters (as the AWS console shows
    them), so an answer can still say which key is old."""
    assert redact(f"key {AKIA} is 200 days old") == f"key AKIA…{AKIA[-4:]} is 200 days old"
    assert redact("AKIAIOSFODNN7EXAMPLE") == "AKIA…MPLE"


def test_key_value_keeps_its_name_and_quotes() -> None:
    assert redact(f'{{"password": "{PASSWORD}"}}') == f'{{"password": "{MASK}"}}'
    assert redact(f"password: {PASSWORD}") == f"password: {MASK}"
    assert redact(f"postgresql://app:{PASSWORD}@db:5432/app") == f"postgresql://app:{MASK}@db:5432/app"


def test_redact_obj_masks_values_of_secret_named_keys() -> None:
    value = {"password": "hunter2", "user": "bob", "nested": [{"PAGERDUTY_API_KEY": PD_KEY}, f"x {STRIPE}"],
             "clientSecret": "abc", "token_count": 5, "api_key": None}
    out = redact_obj(value)
    assert out == {"password": MASK, "user": "bob", "nested": [{"PAGERDUTY_API_KEY": MASK}, "x [REDACTED STRIPE KEY]"],
                   "clientSecret": MASK, "token_count": 5, "api_key": None}
    assert "hunter2" not in json.dumps(out)


@pytest.mark.parametrize("key", ["password", "db_password", "PAGERDUTY_API_KEY", "clientSecret", "apiKey",
                                 "aws_secret_access_key", "routing_key", "SLACK_SIGNING_SECRET", "token"])
def test_secret_key_names(key: str) -> None:
    assert is_secret_key(key)


@pytest.mark.parametrize("key", ["user", "max_tokens", "token_count", "key_id", "secret_arn_list", "service",
                                 "passes", "keyboard", "instance_id"])
def test_ordinary_key_names(key: str) -> None:
    assert not is_secret_key(key)


# --------------------------------------------------------------------------- look-alikes


def _strings(value: Any) -> Iterator[str]:
    """Every string inside the sandbox's company data (fields and properties)."""
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from _strings(getattr(value, f.name))
        for name, attr in vars(type(value)).items():
            if isinstance(attr, property):
                yield from _strings(getattr(value, name))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _strings(item)


SANDBOX_STRINGS = sorted(set(_strings(DRIFTWOOD)) | set(_strings(saas_company.build(datetime(2025, 6, 1,
                                                                                              tzinfo=UTC)))))


def test_the_sandbox_corpus_is_the_whole_company() -> None:
    assert len(SANDBOX_STRINGS) > 300
    assert any(s.startswith("P") and len(s) == 7 for s in SANDBOX_STRINGS)  # PagerDuty ids
    assert any(len(s) == 40 and set(s) <= set("0123456789abcdef") for s in SANDBOX_STRINGS)  # commit shas


def test_every_sandbox_id_and_name_survives() -> None:
    changed = {s: sanitize(s) for s in SANDBOX_STRINGS if SECRET_FIXTURE not in s and sanitize(s) != s}
    assert changed == {}


def test_the_sandbox_secret_fixture_is_masked() -> None:
    lines = [s for s in SANDBOX_STRINGS if SECRET_FIXTURE in s]
    assert lines
    for line in lines:
        assert "hunter2" not in sanitize(line)


LOOKALIKES = [
    "i-0abc1234def567890", "i-0a1b2c3d", "vol-0123456789abcdef0", "sg-0123abcd", "sg-0f3e2d1c0b9a87654",
    "eipalloc-0a1b2c3d4e5f67890", "subnet-0bb1c79de3EXAMPLE", "vpc-1a2b3c4d", "ami-12c6146b", "snap-066877671789bd71b",
    "eni-0e5f2a3b4c5d6e7f8", "rtb-0a1b2c3d", "igw-0c0a1b2c3d4e5f678", "nat-05dba92075d71c408", "lt-0abcd1234efgh5678",
    "arn:aws:s3:::driftwood-logs", "arn:aws:iam::123456789012:user/alice",
    "arn:aws:iam::aws:policy/AdministratorAccess",
    "arn:aws:lambda:us-east-1:123456789012:function:payments-webhook",
    "arn:aws:rds:eu-west-1:123456789012:db:analytics-db",
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-password-AbCdEf",
    "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "arn:aws:sts::123456789012:assumed-role/deploy/session-token-refresh",
    "db-ABCDEFGHIJKLMNOPQRSTUVWXYZ", "P7K2M9Q", "PT0PAY1", "Q1ABCDEF2GHIJK", "ap-southeast-2", "us-east-1",
    "eu-west-1", "ap-northeast-1a", "0.0.0.0/0", "::/0", "10.0.1.25", "203.0.113.10", "2001:db8::1",
    "3f786850e387550fdab836ed7e6dc881de23001b", "3f78685", "deadbeefcafe", "8f10581",
    "0f8fad5b-d9cb-469f-a165-70867728950e", "123e4567-e89b-12d3-a456-426614174000",
    "2025-06-01T12:00:03Z", "2025-06-01T12:00:03.123456+00:00", "1717243203", "Mon, 02 Jun 2025 10:00:00 GMT",
    "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "payments-api-1", "payments-api-7d9f8c6b5-x2k4q", "driftwood-labs/payments-api", "payments-api#412",
    "https://github.com/driftwood-labs/payments-api/actions/runs/118",
    "s3://driftwood-logs/2025/06/01/app.log.gz", "alice@driftwood.example", "t3.medium", "db.r6g.large",
    "m5.xlarge", "gp3", "Amazon Elastic Compute Cloud - Compute", "EC2 - Other",
    "AccessKeyMetadata[?UserName=='alice']", "token bucket rate limiter at 500 req/s", "the secret to fast deploys",
    "password reset emails are slow", "rotate the API key monthly", "max_tokens: 4096", "token_count=17",
    "key_id: none", "password: <your password>", "api_key=${PAGERDUTY_API_KEY}", "token: $GITHUB_TOKEN",
    "secret: ****", "see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html",
    "knowledge/runbooks/iam-access-key-leaked.md", "Bearer", "Authorization header missing",
    "ERROR connection refused: postgres://payments-db.internal:5432/payments",
    "https://user@git.example.com/org/repo.git", "ssh://git@github.com/driftwood-labs/infra.git",
    "p95 latency < 200ms for 15m > threshold", "tab\tseparated\nlines",
    "Ünïcödé names stay: café-api, 東京-cache",
]


@pytest.mark.parametrize("text", LOOKALIKES)
def test_lookalike_survives(text: str) -> None:
    assert sanitize(text) == text


def test_builtin_runbooks_survive_except_their_example_key_ids() -> None:
    """The ingest sanitizer leaves the shipped runbooks readable: the only change is the
    documentation's example access key id, shortened like any key id."""
    folder = Path(__file__).resolve().parents[2] / "knowledge" / "runbooks"
    for path in sorted(folder.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        assert sanitize(text) == text.replace("AKIAEXAMPLEKEY123456", "AKIA…3456"), path.name


# --------------------------------------------------------------------------- terminal controls


@pytest.mark.parametrize(("text", "expected"), [
    ("\x1b[2J\x1b[Hcleared", "cleared"),
    ("\x1b]0;owned title\x07after", "after"),
    ("\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\", "click"),
    ("\x1b[31mred\x1b[0m", "red"),
    ("a\x1b[1A\x1b[2Kb", "ab"),
    ("bell\x07 back\x08space", "bell backspace"),
    ("over\rwrite", "overwrite"),
    ("c1\x9b31m csi \x9d0;t\x9c", "c1 csi "),
    ("keep\ttabs\nand lines", "keep\ttabs\nand lines"),
    ("bidi \u202eevil\u202c", "bidi evil"),
    ("\x1bPdevice control\x1b\\ok", "ok"),
    ("nul\x00byte\x7f", "nulbyte"),
])
def test_terminal_controls_are_stripped(text: str, expected: str) -> None:
    assert strip_controls(text) == expected
    assert sanitize(text) == expected


# --------------------------------------------------------------------------- the boundaries


def _leaky(ctx: ToolContext, args: Any) -> ToolResult:
    line = f"2025-06-01T12:00:03Z ERROR \x1b]0;pwned\x07db login failed {SECRET_FIXTURE} key {AKIA}\x1b[2K"
    return ToolResult(status="ok", summary=f"1 line from {ctx.regions[0]} \x1b[31m{STRIPE}\x1b[0m",
                      columns=["time", "message"], rows=[{"time": "12:00:03", "message": line,
                                                          "password": "hunter3"}],
                      facts={"count": 1, "dsn": f"postgresql://app:{PASSWORD}@db/app"},
                      resources=["i-0abc1234def567890", AKIA])


def test_results_leaving_the_registry_are_sanitized() -> None:
    from pydantic import BaseModel

    class NoArgs(BaseModel):
        pass

    registry = ToolRegistry([ToolSpec("aws_logs_leaky", "test", NoArgs, "read", ("infra.logs",), "aws", _leaky)])
    result = registry.invoke("aws_logs_leaky", {}, ToolContext(aws=AwsSettings(regions=("us-east-1",))))
    dumped = json.dumps(result.model_dump())
    for secret in ("hunter2", "hunter3", STRIPE, AKIA, PASSWORD):
        assert secret not in dumped
    assert "\x1b" not in dumped and "\\u001b" not in dumped and "\\u0007" not in dumped
    assert result.rows[0]["message"].startswith("2025-06-01T12:00:03Z ERROR db login failed password=[REDACTED]")
    assert result.resources == ["i-0abc1234def567890", f"AKIA…{AKIA[-4:]}"]
    assert result.facts["count"] == 1


def test_unknown_tool_names_are_sanitized_too() -> None:
    result = ToolRegistry().invoke(f"\x1b[2J{STRIPE}", {}, ToolContext())
    assert result.status == "error" and STRIPE not in result.summary and "\x1b" not in result.summary


def test_sanitize_obj_strips_keys_and_values() -> None:
    assert sanitize_obj({"a\x1b[2Jb": ["x\x07y", 3]}) == {"ab": ["xy", 3]}


def test_logging_filter_masks_messages_arguments_and_tracebacks() -> None:
    record = logging.LogRecord("guardian", logging.ERROR, __file__, 1, "failed with %s \x1b[2J", (STRIPE,), None)
    try:
        raise RuntimeError(f"boom {SLACK_BOT}")
    except RuntimeError:
        import sys

        record.exc_info = sys.exc_info()
    assert RedactingFilter().filter(record)
    text = logging.Formatter("%(message)s").format(record)
    assert STRIPE not in text and SLACK_BOT not in text and "\x1b" not in text
    assert "failed with [REDACTED STRIPE KEY]" in text and "RuntimeError" in text


def test_agents_redact_reexports_the_one_module() -> None:
    import agents.redact
    import tools.redaction

    for name in ("redact", "redact_obj", "RedactingFilter", "sanitize", "strip_controls"):
        assert getattr(agents.redact, name) is getattr(tools.redaction, name)


@pytest.mark.parametrize("pair", [{"Key": "db_password", "Value": "Pl4nted-pass"},
                                  {"tag_key": "password", "tag_value": "Pl4nted-pass", "action": "reboot"},
                                  {"name": "API_TOKEN", "value": "Pl4nted-pass"}])
def test_a_secret_named_in_a_name_value_pair_is_masked(pair: dict[str, str]) -> None:
    cleaned = redact_obj({"tags": [pair]})["tags"][0]
    assert "Pl4nted-pass" not in str(cleaned)
    assert set(cleaned) == set(pair)


def test_ordinary_name_value_pairs_are_kept() -> None:
    assert redact_obj({"Key": "team", "Value": "payments"}) == {"Key": "team", "Value": "payments"}
