"""What `guardian serve` warns about at start: a surface open without its secret, or any
chat surface answering with no access policy (where every caller may approve everything)."""

from __future__ import annotations

from dataclasses import dataclass

from agents.policy import AccessPolicy
from bot.settings import Settings


@dataclass(frozen=True)
class Surface:
    name: str
    route: str
    secret_setting: str
    configured: bool
    chat: bool  # people ask and approve through it


def surfaces(settings: Settings) -> list[Surface]:
    """The HTTP surfaces `guardian serve` mounts today, with whether their secret is set."""
    return [Surface("web chat", "POST /api/chat", "GUARDIAN_WEB_TOKEN", settings.web_token is not None, True),
            Surface("Microsoft Teams", "POST /api/messages", "MICROSOFT_APP_ID", bool(settings.microsoft_app_id), True),
            # MCP callers ask and propose, but never decide: approvals stay with people
            Surface("MCP", "/mcp", "GUARDIAN_MCP_TOKEN", settings.mcp_token is not None, False)]


def exposure_warnings(settings: Settings, policy: AccessPolicy, host: str) -> list[str]:
    warnings: list[str] = []
    open_surfaces = [s for s in surfaces(settings) if not s.configured and settings.insecure_dev]
    if open_surfaces:
        names = ", ".join(f"{s.name} ({s.route}, no {s.secret_setting})" for s in open_surfaces)
        reach = "anyone on this machine" if host in ("127.0.0.1", "localhost", "::1") else \
            f"ANYONE who can reach {host}"
        warnings.append(f"GUARDIAN_INSECURE_DEV=1: {names} accept requests with no authentication from {reach}. "
                        "Use this for the sandbox only.")
    chat_open = [s for s in surfaces(settings) if s.chat and (s.configured or settings.insecure_dev)]
    if chat_open and not policy.enforced:
        warnings.append(f"No GUARDIAN_POLICY: every caller of {', '.join(s.name for s in chat_open)} may ask "
                        "anything and approve every action (single-user local mode). Set GUARDIAN_POLICY to a "
                        "roles file (docs/CONTRACT.md, 'Access policy').")
    return warnings
