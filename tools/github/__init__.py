"""GitHub Actions as Guardian's CI/CD integration (PyGithub)."""

from tools.github.client import GitHubConfig, github_client
from tools.github.tools import GITHUB_TOOLS

__all__ = ["GITHUB_TOOLS", "GitHubConfig", "github_client"]
