from __future__ import annotations

import pytest

from agents.redact import redact

SECRETS = [
    "xoxb-2222222222-3333333333-abcdefghijklmnop",
    "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB",
    "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "postgresql://app:s3cr3tpass@db.internal:5432/app",
    "Authorization: Bearer abcdefghijklmnopqrstuvwxyz012345",
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----",
]


@pytest.mark.parametrize("text", SECRETS)
def test_credentials_are_redacted(text: str) -> None:
    out = redact(f"before {text} after")
    assert "[REDACTED" in out
    assert out.startswith("before ")
    for secret in ("abcdefghijklmnop", "0123456789abcdef", "wJalrXUtnFEMI", "s3cr3tpass", "MIIEow"):
        assert secret not in out


@pytest.mark.parametrize("text", ["i-0abc1234def567890", "sg-0123abcd", "arn:aws:s3:::driftwood-logs",
                                  "AKIAIOSFODNN7EXAMPLE", "payments-api-1 in us-east-1"])
def test_resource_ids_survive(text: str) -> None:
    assert redact(text) == text
