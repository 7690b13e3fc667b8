"""GitHub Actions as Guardian's CI/CD integration (PyGithub)."""

from tools.base import ToolContext
from tools.github.client import github_client
from tools.github.tools import GITHUB_TOOLS
from tools.settings import GitHubSettings
from tools.toolset import Prerequisite, Toolset


def _has_token(ctx: ToolContext) -> bool:
    return ctx.github.token is not None and bool(ctx.github.token.get_secret_value())


def _has_repositories(ctx: ToolContext) -> bool:
    return bool(ctx.github.repos or ctx.github.org)


GITHUB = Toolset(
    name="github",
    title="GitHub",
    settings_model=GitHubSettings,
    tools=tuple(GITHUB_TOOLS),
    prerequisites=(
        Prerequisite("a token", "set GITHUB_TOKEN, and GITHUB_API_URL for GitHub Enterprise", _has_token),
        Prerequisite("a repository", "set GUARDIAN_GITHUB_REPOS or GUARDIAN_GITHUB_ORG, or name one as owner/name",
                     _has_repositories, or_argument="repo"),
    ),
)

__all__ = ["GITHUB", "GITHUB_TOOLS", "GitHubSettings", "github_client"]
