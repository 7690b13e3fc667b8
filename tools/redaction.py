"""The one redaction module (OWASP LLM02): secrets are masked and terminal control
sequences stripped before text leaves the tool registry, reaches a store, a log line or
a person.

Detection is detect-secrets' own detectors, run programmatically on each line, plus the
formats they miss (AWS key ids kept recognisable by their last four characters, AWS
secret keys, PagerDuty keys, Stripe restricted keys, ``xapp-`` tokens, fine-grained
GitHub tokens, PEM blocks, ``key: value`` / ``"key": "value"`` / ``key=value`` pairs,
``Authorization`` headers and credentials inside URLs).

Its high-entropy detectors are deliberately not used: they would mask the resource ids
an operator needs (``i-0abc…``, ``vol-…``, ARNs, commit shas, PagerDuty ids), and every
pattern here is checked against the sandbox's ids and names in tests/tools/test_redaction.py.

This is the lowest layer: it imports nothing from Guardian, so tools, agents and bot
use it, and the knowledge store receives it as an injected sanitizer.
"""

from __future__ import annotations

import functools
import logging
import math
import re
from collections import Counter
from collections.abc import Callable
from typing import Any

__all__ = [
    "MASK",
    "RedactingFilter",
    "is_secret_key",
    "redact",
    "redact_obj",
    "sanitize",
    "sanitize_obj",
    "strip_controls",
]

MASK = "[REDACTED]"

# --------------------------------------------------------------------------- terminal controls

_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: cursor movement, colours, erase
    r"|\x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC: window title, hyperlinks, clipboard
    r"|\x1b[PX^_][^\x1b\x9c]*(?:\x1b\\|\x9c)?"  # DCS, SOS, PM, APC strings
    r"|\x1b[ -/]*[0-~]"  # other escape sequences (charset, keypad, RIS ...)
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
    r"|[\x90\x98\x9d\x9e\x9f][^\x07\x9c]*(?:\x07|\x9c)?"  # 8-bit string controls
)
# C0 controls except \t and \n, DEL, C1 controls, and the bidirectional overrides that
# reorder what a reader sees ("Trojan Source").
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def strip_controls(text: str) -> str:
    """Remove ANSI/VT escape sequences and every control character but newline and tab,
    so untrusted text (log lines) can never move a cursor, recolour or retitle a terminal."""
    if not text.isprintable():
        text = _CONTROLS.sub("", _ESCAPES.sub("", text))
    return text


# --------------------------------------------------------------------------- our own patterns

# Names whose value is a secret, in key: value, "key": "value", key=value and --key value.
_SECRET_WORDS = (
    r"password|passwd|passphrase|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|secret[_-]?key"
    r"|private[_-]?key|client[_-]?secret|credentials?|routing[_-]?key|integration[_-]?key"
    r"|service[_-]?key|signing[_-]?secret|session[_-]?key|auth[_-]?key|encryption[_-]?key|dsn"
)
_SECRET_KEY = re.compile(rf"^[\w.-]*?(?:{_SECRET_WORDS})$", re.I)
# Values that point at a secret rather than being one.
_REFERENCE = re.compile(
    r"^(?:\[REDACTED[^\]]*\]|\*+|x{3,}|\.{3}|…|<[^>]*>|\$\{[^}]*\}|\$[A-Z_][A-Z0-9_]*|\{\{[^}]*\}\}"
    r"|%\([^)]*\)s|arn:[\w-]+:\S+|(?:none|null|nil|true|false|undefined|redacted|changeme|required"
    r"|optional|string|str|unset|empty|n/?a|yes|no)|(?:your|my|the)[_-]\w+)$",
    re.I,
)
_PLACEHOLDER = re.compile(r"^[A-Z]+(?:_[A-Z0-9]+)+$")  # ROUTING_KEY, YOUR_API_KEY

_KEY_PREFIX = r"(?<![A-Za-z0-9:])(?P<key>[A-Za-z0-9_.-]*?(?:" + _SECRET_WORDS + r"))"
_KEY_VALUE = re.compile(
    _KEY_PREFIX
    + r"(?P<sep>[\"']?[ \t]*(?::|=|:=|=>)[ \t]*)"
    + r"(?:(?P<q>[\"'])(?P<qval>[^\"'\n]{1,512}?)(?P=q)|(?P<val><[^<>\n]{1,64}>|\{\{[^}\n]{1,64}\}\}"
    + r"|[^\s\"'`,;]{1,512}))",
    re.I,
)
_QUERY_VALUE = re.compile(r"(?P<pre>[?&][\w.-]*?(?:" + _SECRET_WORDS + r")=)(?P<val>[^&#\s\"'<>]+)", re.I)
_FLAG_VALUE = re.compile(r"(?P<flag>--?(?:" + _SECRET_WORDS + r"))(?P<sep>[ =])(?P<val>[^\s\"'-][^\s\"']*)", re.I)

_AWS_KEY_ID = re.compile(r"(?<![A-Za-z0-9])(?P<prefix>AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{12}(?P<last>[A-Z0-9]{4})"
                         r"(?![A-Za-z0-9])")
_AWS_SECRET_CONTEXT = re.compile(
    r"(?P<key>(?:aws)?[_.-]?secret[_.-]?(?:access)?[_.-]?key[\"']?[ \t]*(?:[:=]|=>)[ \t]*[\"']?)"
    r"(?P<val>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])",
    re.I,
)
# A bare 40-character AWS secret access key: base64 alphabet, mixed case and a digit, and
# the entropy of random data (paths, words and commit shas fall far below it).
_BARE_40 = re.compile(r"(?<![A-Za-z0-9/+=_.-])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=_.-])")

_SIMPLE: tuple[tuple[re.Pattern[str], str], ...] = (
    # PEM private keys, whole block (or to the end of a truncated one)
    (re.compile(r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----"
                r"(?:.*?-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----"
                r"|(?:(?:\s|\\n)*(?:[\w-]+: [^\n]*|[A-Za-z0-9+/=]{16,}))*)",
                re.S),
     "[REDACTED PRIVATE KEY]"),
    # the tail of a key whose beginning is elsewhere (a chunk boundary, a cut log line)
    (re.compile(r"(?:[A-Za-z0-9+/=]{16,}[ \t]*(?:\n|\\n)[ \t]*)*[A-Za-z0-9+/=]*"
                r"-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----"), "[REDACTED PRIVATE KEY]"),
    (re.compile(r"PuTTY-User-Key-File-\d+:.*?(?:Private-MAC: *[0-9a-f]+|\Z)", re.S), "[REDACTED PRIVATE KEY]"),
    # credentials inside URLs: scheme://user:password@host (also scheme://:password@host)
    (re.compile(r"(?P<pre>\b[a-z][a-z0-9+.-]*://[^\s:/@?#\"']*:)[^\s@/?#\"']+@", re.I), r"\g<pre>[REDACTED]@"),
    # Authorization headers and bearer/basic/token schemes
    (re.compile(r"(?P<pre>\bauthorization[\"']?[ \t]*[:=][ \t]*[\"']?(?:bearer|basic|token|digest|apikey|"
                r"sso-key|splunk|dsn)?[ \t]*(?:token=)?)[^\s\"',;]{4,}", re.I), r"\g<pre>[REDACTED]"),
    (re.compile(r"(?P<pre>\b(?:bearer|basic)[ \t]+)(?!\[REDACTED)[A-Za-z0-9._~+/=-]{8,}", re.I),
     r"\g<pre>[REDACTED]"),
    (re.compile(r"(?P<pre>\btoken[ \t]+token=)[^\s\"',;]+", re.I), r"\g<pre>[REDACTED]"),  # PagerDuty REST
    (re.compile(r"(?P<pre>\bpagerduty\b[^\n]{0,24}?\b(?:key|token)\b[ \t:=]*(?:is[ \t]+)?[\"']?)"
                r"(?!\[REDACTED)[A-Za-z0-9_+-]{20}(?![A-Za-z0-9_+-])", re.I), r"\g<pre>[REDACTED]"),
    # vendor token formats
    (re.compile(r"\bxox[abposre]-[A-Za-z0-9-]{8,}"), "[REDACTED SLACK TOKEN]"),
    (re.compile(r"\bxapp-\d+-[A-Za-z0-9-]{8,}"), "[REDACTED SLACK TOKEN]"),
    (re.compile(r"\bxoxe\.xox[bp]-\d+-[A-Za-z0-9-]{8,}"), "[REDACTED SLACK TOKEN]"),
    (re.compile(r"https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/]+"),
     "[REDACTED SLACK WEBHOOK]"),
    (re.compile(r"\bgithub_pat_[A-Za-z0-9_]{20,}"), "[REDACTED GITHUB TOKEN]"),
    (re.compile(r"\bgh[pousr]_[A-Za-z0-9]{20,}"), "[REDACTED GITHUB TOKEN]"),
    (re.compile(r"\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{10,}"), "[REDACTED STRIPE KEY]"),
    (re.compile(r"\bwhsec_[0-9A-Za-z+/=]{16,}"), "[REDACTED WEBHOOK SECRET]"),
    (re.compile(r"(?<![A-Za-z0-9+])u\+[A-Za-z0-9_-]{18}(?![A-Za-z0-9_-])"), "[REDACTED PAGERDUTY KEY]"),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"), "[REDACTED JWT]"),
    (re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}"), "[REDACTED GITLAB TOKEN]"),
    (re.compile(r"\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{32,}"), "[REDACTED API KEY]"),
    (re.compile(r"\bAIza[0-9A-Za-z_-]{35}"), "[REDACTED GOOGLE API KEY]"),
    (re.compile(r"\bnpm_[A-Za-z0-9]{36}"), "[REDACTED NPM TOKEN]"),
)


def _entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def _mask_aws_key_id(match: re.Match[str]) -> str:
    """AWS access key ids keep their prefix and last four characters, as the AWS console
    and most secret scanners show them: recognisable, not reusable."""
    return f"{match['prefix']}…{match['last']}"


def _mask_bare_40(match: re.Match[str]) -> str:
    value = match.group(0)
    if (re.search(r"[A-Z]", value) and re.search(r"[a-z]", value) and re.search(r"[0-9]", value)
            and _entropy(value) >= 4.3):
        return MASK
    return value


def _mask_pair(match: re.Match[str]) -> str:
    value = match["qval"] if match["qval"] is not None else match["val"]
    if _is_reference(value):
        return match.group(0)
    quote = match["q"] or ""
    closing = "" if quote else value[len(value.rstrip(")]}")):]  # {password: x} keeps its brace
    return f"{match['key']}{match['sep']}{quote}{MASK}{quote}{closing}"


def _mask_flag(match: re.Match[str]) -> str:
    if _is_reference(match["val"]):
        return match.group(0)
    return f"{match['flag']}{match['sep']}{MASK}"


def _is_reference(value: str) -> bool:
    value = value.strip()
    return len(value) < 3 or "REDACTED" in value or bool(_REFERENCE.match(value) or _PLACEHOLDER.match(value))


# --------------------------------------------------------------------------- detect-secrets

# Its detectors minus the ones that would eat resource ids (Base64/Hex high entropy,
# public IPs) and the private-key one (the PEM pattern above masks the whole block).
_DETECTOR_NAMES = (
    "keyword.KeywordDetector",  # first: it runs per line, the others once per text
    "artifactory.ArtifactoryDetector", "aws.AWSKeyDetector", "azure_storage_key.AzureStorageKeyDetector",
    "basic_auth.BasicAuthDetector", "cloudant.CloudantDetector", "discord.DiscordBotTokenDetector",
    "github_token.GitHubTokenDetector", "gitlab_token.GitLabTokenDetector", "ibm_cloud_iam.IbmCloudIamDetector",
    "ibm_cos_hmac.IbmCosHmacDetector", "jwt.JwtTokenDetector",
    "mailchimp.MailchimpDetector", "npm.NpmDetector", "openai.OpenAIDetector", "pypi_token.PypiTokenDetector",
    "sendgrid.SendGridDetector", "slack.SlackDetector", "softlayer.SoftlayerDetector",
    "square_oauth.SquareOAuthDetector", "stripe.StripeDetector", "telegram_token.TelegramBotTokenDetector",
    "twilio.TwilioKeyDetector",
)


@functools.cache
def _detectors() -> tuple[Any, ...]:
    """detect-secrets' plugin instances. Only ``analyze_string`` is used: it is the pure
    pattern match (``analyze_line`` may call a detector's network ``verify``)."""
    import importlib

    found = []
    for dotted in _DETECTOR_NAMES:
        module, cls = dotted.rsplit(".", 1)
        found.append(getattr(importlib.import_module(f"detect_secrets.plugins.{module}"), cls)())
    return tuple(found)


def load_detectors() -> None:
    """Load detect-secrets' plugins now rather than at the first text that needs them (a
    process about to fork loads them once, for both)."""
    _detectors()


# Every name the key-value patterns and detect-secrets' keyword detector look for
# contains one of these: a line without any skips those (slow) regexes.
_GATE_WORDS = ("pass", "pwd", "secret", "token", "key", "credential", "dsn", "contrase")


def _names_a_secret(line: str) -> bool:
    low = line.lower()
    return any(word in low for word in _GATE_WORDS)


def _detected(detector: Any, text: str) -> set[str]:
    return {value.strip() for value in detector.analyze_string(text)
            if isinstance(value, str) and len(value.strip()) >= 4 and not _is_reference(value)}


def _mask_values(text: str, values: set[str]) -> str:
    for value in sorted(values, key=len, reverse=True):
        text = text.replace(value, MASK)
    return text


def _redact_line(line: str, keyword: Any) -> str:
    """The key-value patterns and the keyword detector, on a line that names a secret."""
    line = _AWS_SECRET_CONTEXT.sub(lambda m: f"{m['key']}{MASK}", line)
    line = _QUERY_VALUE.sub(lambda m: m.group(0) if _is_reference(m["val"]) else f"{m['pre']}{MASK}", line)
    line = _KEY_VALUE.sub(_mask_pair, line)
    line = _FLAG_VALUE.sub(_mask_flag, line)
    return _mask_values(line, _detected(keyword, line))



# --------------------------------------------------------------------------- the API


def redact(text: str) -> str:
    """``text`` with every credential it contains masked."""
    if not text:
        return text
    if len(text) <= _CACHED_LEN:
        return _redact_short(text)
    return _redact(text)


_CACHED_LEN = 200


@functools.lru_cache(maxsize=8192)
def _redact_short(text: str) -> str:
    """Table cells repeat (ids, names, states): short strings are redacted once."""
    return _redact(text)


def _redact(text: str) -> str:
    for pattern, replacement in _SIMPLE:  # these may span lines (PEM blocks)
        text = pattern.sub(replacement, text)
    text = _AWS_KEY_ID.sub(_mask_aws_key_id, text)
    text = _BARE_40.sub(_mask_bare_40, text)
    keyword, *detectors = _detectors()
    # detect-secrets' pattern detectors find every match in one pass over the text; its
    # keyword detector reports one per call, so it runs line by line
    values: set[str] = set()
    for detector in detectors:
        values |= _detected(detector, text)
    text = _mask_values(text, values)
    if not _names_a_secret(text):
        return text
    return "\n".join(_redact_line(line, keyword) if _names_a_secret(line) else line for line in text.split("\n"))


def sanitize(text: str) -> str:
    """Untrusted text made safe to show and to store: controls stripped, secrets masked."""
    return redact(strip_controls(text))


def is_secret_key(key: str) -> bool:
    """Whether a field named ``key`` holds a secret (``password``, ``db_password``,
    ``PAGERDUTY_API_KEY``, ``clientSecret`` ...)."""
    return bool(_SECRET_KEY.match(key.strip().strip("\"'")))


# Name/value pairs that carry a field name as data (AWS tags, env lists, Kubernetes env,
# a tag slot): {"Key": "db_password", "Value": "..."} hides a secret as well as
# {"db_password": "..."} does.
_NAME_VALUE_FIELDS = (("key", "value"), ("Key", "Value"), ("name", "value"), ("Name", "Value"),
                      ("tag_key", "tag_value"))


def _secret_named_values(value: dict[Any, Any]) -> set[str]:
    """The value fields of ``value`` whose paired name field names a secret."""
    return {value_field for name_field, value_field in _NAME_VALUE_FIELDS
            if isinstance(value.get(name_field), str) and is_secret_key(value[name_field])
            and isinstance(value.get(value_field), str)}


def _walk(value: Any, text: Callable[[str], str], clean_key: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return text(value)
    if isinstance(value, dict):
        hidden = _secret_named_values(value)
        out = {}
        for key, item in value.items():
            if key in hidden or (isinstance(key, str) and is_secret_key(key) and isinstance(item, str)
                                 and not _is_reference(item)):
                out[clean_key(key)] = MASK
            else:
                out[clean_key(key) if isinstance(key, str) else key] = _walk(item, text, clean_key)
        return out
    if isinstance(value, list | tuple | set | frozenset):
        return [_walk(item, text, clean_key) for item in value]
    return value


def redact_obj(value: Any) -> Any:
    """Every string inside a JSON-like value redacted, and the value of every secret-named
    key masked whole (``{"password": "hunter2"}``). This is what anything stored goes
    through: audit records, approval summaries, arguments and results."""
    return _walk(value, redact, lambda key: key)


def sanitize_obj(value: Any) -> Any:
    """:func:`redact_obj` plus control characters stripped from strings and keys: what
    a tool result goes through on its way out of the registry."""
    return _walk(value, sanitize, strip_controls)


class RedactingFilter(logging.Filter):
    """A logging filter so no handler ever writes a token or a terminal escape."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record
            message = f"{record.msg!r} {record.args!r}"
        record.msg = sanitize(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = sanitize(record.exc_text)
        if record.stack_info:
            record.stack_info = sanitize(record.stack_info)
        return True
