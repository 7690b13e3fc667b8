"""Each toolset's own settings, typed: what AWS, Azure, Google Cloud, GitHub, PagerDuty and the knowledge tools
are configured with. ``bot/runtime.py`` builds them from the one ``bot.settings.Settings``
and passes them down in the ``ToolContext``; no tool reads the environment. Secrets stay
``SecretStr`` until the one line that hands them to the SDK.

They live in one module (not in each toolset's package) so ``tools.base`` can hold them
without importing the toolsets; each toolset package re-exports its own.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr

GITHUB_API_URL = "https://api.github.com"
PAGERDUTY_API_URL = "https://api.pagerduty.com"
AZURE_ARM_URL = "https://management.azure.com"


class AwsSettings(BaseModel):
    """boto3 finds credentials, profile and endpoint itself; the regions to scan are ours."""

    model_config = ConfigDict(frozen=True)

    regions: tuple[str, ...] = Field(default=("us-east-1",), description="Regions to scan, first is the default.")


class AzureSettings(BaseModel):
    """Azure Resource Manager: the subscription (AZURE_SUBSCRIPTION_ID), the ARM endpoint
    (sovereign clouds, the sandbox), a CA bundle for a private CA, and a static bearer token
    (the sandbox; unset: azure-identity's DefaultAzureCredential finds real credentials)."""

    model_config = ConfigDict(frozen=True)

    subscription_id: str | None = None
    arm_url: str | None = None
    verify: bool | str = Field(default=True, description="False, or a CA bundle for a private CA.")
    token: SecretStr | None = None

    @property
    def base_url(self) -> str:
        return (self.arm_url or AZURE_ARM_URL).rstrip("/")


class GcpSettings(BaseModel):
    """Google Cloud: the project to read (GOOGLE_CLOUD_PROJECT), and for a local stand-in or
    a proxy one API base URL for Logging, Compute and Storage (the SDKs' ``client_options``
    ``api_endpoint``) and whether to send no credentials. Credentials otherwise come from the
    SDKs' own Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud)."""

    model_config = ConfigDict(frozen=True)

    project: str | None = None
    api_url: str | None = Field(default=None, description="One base URL for the Logging, Compute and Storage "
                                "JSON APIs (a stand-in); unset: Google's own endpoints.")
    anonymous: bool = Field(default=False, description="Send no credentials (a local stand-in or emulator only).")


class GitHubSettings(BaseModel):
    """GitHub Actions: a token, the API base (GitHub Enterprise) and which repositories to watch."""

    model_config = ConfigDict(frozen=True)

    token: SecretStr | None = None
    api_url: str | None = None
    org: str | None = None
    repos: tuple[str, ...] = ()
    verify: bool | str = Field(default=True, description="False, or a CA bundle for a private CA.")

    @property
    def base_url(self) -> str:
        return (self.api_url or GITHUB_API_URL).rstrip("/")


class PagerDutySettings(BaseModel):
    """PagerDuty REST API v2: an API key, the API base (the EU service) and who writes act as."""

    model_config = ConfigDict(frozen=True)

    api_key: SecretStr | None = None
    api_url: str | None = None
    from_email: str | None = None
    verify: bool | str = Field(default=True, description="False, or a CA bundle for a private CA.")

    @property
    def base_url(self) -> str:
        return (self.api_url or PAGERDUTY_API_URL).rstrip("/")


class KnowledgeSettings(BaseModel):
    """Runbook search: where the store lives. The store itself is a handle the composition
    root opens (``ToolContext.knowledge``); its prerequisite is that handle."""

    model_config = ConfigDict(frozen=True)

    chroma_url: str | None = Field(default=None, description="A Chroma server; unset: embedded under the home.")
