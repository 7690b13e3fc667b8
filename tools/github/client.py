"""Building a PyGithub client from Guardian's configuration, and turning GitHub's failures
into one sentence a person can act on.

Configuration arrives typed, as ``ToolContext.github`` (``tools.settings.GitHubSettings``,
built in ``bot/runtime.py``); the registry refuses a call before it gets here when the
toolset's prerequisites (a token, a repository) are not met.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from itertools import pairwise
from typing import TYPE_CHECKING

from tools.base import ToolContext, ToolResult
from tools.settings import GitHubSettings

if TYPE_CHECKING:  # PyGithub (with jwt and cryptography) loads when a GitHub tool first runs
    from github import Github

NOT_CONFIGURED = "GitHub is not configured: set GITHUB_TOKEN (and GITHUB_API_URL for GitHub Enterprise)."
TIMEOUT_SECONDS = 10
# Connection errors and 5xx are retried twice with a short backoff; a rate-limit wait longer
# than this fails fast instead of holding a chat turn for a minute.
MAX_RATE_LIMIT_WAIT_SECONDS = 10


class GitHubProblem(Exception):
    """A failure already phrased for the person asking (unknown repo, nothing matched...)."""


def github_client(config: GitHubSettings) -> Github:
    """A PyGithub client with bounded timeouts and retries (never minutes of waiting)."""
    from github import Auth, Github, GithubRetry

    if config.token is None:
        raise GitHubProblem(NOT_CONFIGURED)
    retry = GithubRetry(total=2, backoff_factor=0.2, max_rate_limit_wait=MAX_RATE_LIMIT_WAIT_SECONDS)
    token = config.token.get_secret_value()
    return Github(base_url=config.base_url, auth=Auth.Token(token), timeout=TIMEOUT_SECONDS, retry=retry,
                  lazy=True, seconds_between_requests=None, verify=config.verify)


def describe_error(exc: Exception, config: GitHubSettings, what: str) -> str:
    """One sentence for a GitHub failure; ``what`` names the thing looked for."""
    from github import GithubException
    from github.GithubException import BadCredentialsException, RateLimitExceededException, UnknownObjectException

    if isinstance(exc, GitHubProblem):
        return str(exc)
    if isinstance(exc, BadCredentialsException):
        return "GitHub rejected the token (401 Bad credentials): check GITHUB_TOKEN."
    if isinstance(exc, RateLimitExceededException):
        return "GitHub's rate limit for this token is used up; try again in a few minutes."
    if isinstance(exc, UnknownObjectException):
        return f"GitHub has no {what}, or the token cannot see it (404)."
    if isinstance(exc, GithubException):
        message = exc.message or (exc.data.get("message") if isinstance(exc.data, dict) else None) or "no detail"
        return f"GitHub refused the request ({exc.status}: {str(message)[:160]})."
    if _is_tls_error(exc):
        return (f"GitHub's TLS certificate at {config.base_url} is not trusted; for a private CA pass its CA bundle "
                "as the GitHub verify setting.")
    if _is_network_error(exc):
        return (f"GitHub is unreachable at {config.base_url} ({type(exc).__name__}); "
                "check GITHUB_API_URL and the network.")
    raise exc


def _is_tls_error(exc: Exception) -> bool:
    import requests

    return isinstance(exc, requests.exceptions.SSLError)


def _is_network_error(exc: Exception) -> bool:
    import requests
    import urllib3

    return isinstance(exc, requests.exceptions.RequestException | urllib3.exceptions.HTTPError | OSError)


def with_github(ctx: ToolContext, what: str, body: Callable[[Github, GitHubSettings], ToolResult]) -> ToolResult:
    """Run ``body`` with a client; configuration gaps and API failures become error results."""
    config = ctx.github
    if config.token is None:  # the registry says so first; this guards a direct call
        return ToolResult.error(NOT_CONFIGURED)
    client = github_client(config)
    try:
        return body(client, config)
    except Exception as exc:
        return ToolResult.error(describe_error(exc, config, what))
    finally:
        client.close()


# --------------------------------------------------------------------------- repositories


def qualify(repo: str, config: GitHubSettings) -> str:
    """``owner/name`` for a repo given as ``owner/name`` or a bare name."""
    repo = repo.strip().removesuffix(".git")
    if "/" in repo:
        return repo
    for known in config.repos:
        if known.split("/", 1)[-1].lower() == repo.lower():
            return known
    if config.org:
        return f"{config.org}/{repo}"
    raise GitHubProblem(f"Say which owner {repo!r} belongs to (owner/name), or set GUARDIAN_GITHUB_ORG.")


def matches_service(full_name: str, service: str) -> bool:
    """Whether a repository builds ``service``: payments -> payments-api, checkout-web; a
    short word of its name names it too ("the infra pipelines": infra, "web": checkout-web)."""
    name = full_name.split("/", 1)[-1].lower()
    wanted = service.strip().lower()
    return (name == wanted or name.startswith(wanted + "-") or wanted.startswith(name + "-")
            or wanted in re.split(r"[-_.]", name))


def abbreviates(full_name: str, short: str) -> bool:
    """Whether ``short`` is how people clip a word of the repository's name ("pay" for
    payments-api, "infr" for infra): three letters or more opening a word of it. Only a
    fallback, and only when one repository fits: a clipped word is weaker than a whole one."""
    wanted = short.strip().lower()
    words = re.split(r"[-_.]", full_name.split("/", 1)[-1].lower())
    return len(wanted) >= 3 and wanted.isalpha() and any(w.startswith(wanted) and w != wanted for w in words)


MISSPELT_RATIO = 0.8  # "payment-ape" for payments-api (a phone's autocorrect); "pay-app" is no longer it


def misspells(full_name: str, typed: str) -> bool:
    """Whether ``typed`` is the repository's name with a letter or two wrong (autocorrect,
    a slip on a phone keyboard). Only a fallback, and only when one repository fits."""
    name = full_name.split("/", 1)[-1].lower()
    wanted = typed.strip().lower()
    return len(wanted) >= 5 and difflib.SequenceMatcher(None, name, wanted).ratio() >= MISSPELT_RATIO


def describes(description: str | None, language: str | None, word: str) -> bool:
    """Whether a repository's description or language names ``word`` as a whole word: the
    Terraform repository is "the terraform repo" to the people who work in it, whatever it
    is called ("infra: Terraform for our AWS accounts")."""
    wanted = word.strip().lower()
    if len(wanted) < 3 or not re.fullmatch(r"[a-z][a-z0-9+#-]*", wanted):
        return False
    if (language or "").lower() == wanted:
        return True
    text = (description or "").lower()
    if re.search(rf"(?<![\w-]){re.escape(wanted)}(?![\w-])", text):
        return True
    # "frontend" for a description's "front end" or "front-end" (and "back end", "data plane"):
    # a compound written closed by one and open by the other
    words = re.findall(r"[a-z0-9+#]+", text)
    return "-" not in wanted and any(first + second == wanted for first, second in pairwise(words))


def described_by(gh: Github, known: list[str], word: str) -> list[str]:
    """The known repositories whose description or language names ``word`` (a last resort
    after names, clipped names and misspellings: it reads each repository's metadata)."""
    from github import GithubException

    found: list[str] = []
    for name in known:
        try:
            repo = gh.get_repo(name)
            if describes(repo.description, repo.language, word):
                found.append(name)
        except GithubException:
            continue
    return found


def known_repos(gh: Github, config: GitHubSettings) -> list[str]:
    """The configured repositories, else the organisation's most recently pushed ones."""
    if config.repos:
        return list(config.repos)
    if config.org:
        listing = gh.get_organization(config.org).get_repos(sort="pushed", direction="desc")
        return [repo.full_name for _, repo in zip(range(30), listing, strict=False)]
    return []


def words_with_a_slash(gh: Github, config: GitHubSettings, repo: str) -> bool:
    """Whether an ``a/b`` pair is two words said as alternatives ("the retry/backoff change",
    "the cache/redis PR"), not a repository: its owner is none of the known repositories' owners
    nor the organisation, and GitHub has no such repository. Then the request is about the known
    repositories, as if no repository were named."""
    from github import UnknownObjectException

    known = known_repos(gh, config) if "/" in repo else []
    owner = repo.split("/", 1)[0].lower()
    owners = {name.split("/", 1)[0].lower() for name in known} | ({config.org.lower()} if config.org else set())
    if not known or owner in owners:
        return False
    try:
        gh.get_repo(repo).id  # noqa: B018 - a lazy client reads the repository on first use
    except UnknownObjectException:
        return True
    return False


def target_repos(gh: Github, config: GitHubSettings, repo: str | None, service: str | None = None) -> list[str]:
    """Which repositories a request is about: the named one, the service's, or all known
    (listed once: with an organisation configured, that is a GitHub API call)."""
    if repo and "/" in repo:
        return [qualify(repo, config)]
    known = known_repos(gh, config)
    if repo:
        # "the checkout repo", "the payments repo": people name a repository by its service
        # word; a bare name no known repository has is read as that service
        if not known or any(name.split("/", 1)[-1].lower() == repo.strip().lower() for name in known):
            return [qualify(repo, config)]
        service = repo
    if service:
        matching = [name for name in known if matches_service(name, service)]
        if matching:
            return matching
        shortened = [name for name in known if abbreviates(name, service)]
        if len(shortened) == 1:
            return shortened
        misspelt = [name for name in known if misspells(name, service)]
        if len(misspelt) == 1:
            return misspelt
        described = described_by(gh, known, service)
        if len(described) == 1:
            return described
        if known:
            raise GitHubProblem(f"No configured repository matches {service!r} (known: {', '.join(known)}).")
    if not known:
        raise GitHubProblem("Name a repository (owner/name), or set GUARDIAN_GITHUB_REPOS or GUARDIAN_GITHUB_ORG.")
    return known


# --------------------------------------------------------------------------- formatting


def workflow_file(path: str | None) -> str:
    """``deploy.yml`` from ``.github/workflows/deploy.yml`` (or ``...@refs/heads/main``)."""
    return (path or "").split("@", 1)[0].rsplit("/", 1)[-1]


def workflow_matches(wanted: str, name: str | None, path: str | None) -> bool:
    """A workflow named by file (deploy.yml), file stem (deploy), display name (Deploy) or a
    whole word of a display name of several ("apply" for "Terraform apply")."""
    target = wanted.strip().lower()
    file = workflow_file(path).lower()
    if target in (file, file.rsplit(".", 1)[0], (name or "").lower()):
        return True
    words = re.findall(r"[a-z0-9]+", (name or "").lower())
    return len(words) > 1 and re.fullmatch(r"[a-z0-9]+", target) is not None and target in words


def iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None




def day_start(day: date | None) -> datetime | None:
    return datetime.combine(day, time.min, tzinfo=UTC) if day else None
