"""Guardian's one settings object, built at the composition root and passed down.

Environment variables win over the optional YAML file named by ``GUARDIAN_CONFIG``;
nothing else in the project reads the environment (the cloud SDKs keep their own
conventions, such as ``AWS_ENDPOINT_URL``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)


class Settings(BaseSettings):
    """Everything Guardian can be configured with; see docs/CONTRACT.md for the names."""

    model_config = SettingsConfigDict(env_prefix="GUARDIAN_", extra="ignore", populate_by_name=True)

    home: Path = Field(default=Path(".guardian"), description="All local state lives here.")
    database_url: str | None = Field(default=None, description="SQLite under home when unset.")
    chroma_url: str | None = Field(default=None, description="Unset: embedded Chroma under home.")
    llm: str = Field(default="none", description="'none' or provider:model for init_chat_model.")
    config: Path | None = None
    cache_dir: Path = Field(default_factory=lambda: Path.home() / ".cache" / "guardian",
                            description="Derived data safe to share between homes (router index).")
    aws_regions: Annotated[list[str], NoDecode] = Field(default_factory=list, description="Regions to scan.")
    router_threshold: float = Field(default=0.45, description="Below this the router is unsure: a write, or a "
                                    "read below router_answer_floor, gets a clarifying question.")
    router_answer_floor: float = Field(
        default=0.25, ge=0.0, le=1.0,
        description="Between this and router_threshold a read-only request is answered, naming the other "
                    "skills it may have meant; below it, or for a write, the graph asks to clarify.")
    max_tool_steps: int = Field(default=6, description="Cap on LLM tool-loop steps (LLM10).")
    llm_routing: Literal["fallback", "always", "never"] = Field(
        default="fallback", description="When the supervisor asks the model for the skill (docs/llm.md).")
    llm_max_tokens: int = Field(default=30_000, ge=1, description="Cap on a turn's model tokens (LLM10).")
    llm_timeout_s: float = Field(default=60.0, gt=0, description="Cap on a turn's model wall time, seconds.")
    resume_turns: bool = Field(default=True, description="`guardian serve` finishes turns a crash interrupted "
                               "between steps and posts their answers (docs/llm.md).")
    resume_max_age_s: float = Field(default=900.0, ge=0, description="Interrupted turns asked longer ago than "
                                    "this are abandoned (audited), not resumed.")
    resume_grace_s: float = Field(default=120.0, ge=0, description="A turn counts as interrupted once its latest "
                                  "step is this old; a younger one may still be running in another replica.")
    insecure_dev: bool = False
    policy: Path | None = Field(default=None, description="Access policy YAML (docs/CONTRACT.md); unset: "
                                                          "single-user local mode.")
    web_token: SecretStr | None = Field(
        default=None, description="The web chat's bearer token(s): one token (its user is 'web') or comma-separated "
        "name:token entries; the name is the identity the access policy sees.")
    http_max_body_bytes: int = Field(default=1024 * 1024, ge=1024, description="Larger request bodies get 413.")
    secret_key: SecretStr | None = Field(
        default=None, description="Encrypts checkpoints and sealed approval arguments; unset: a key created once "
        "in GUARDIAN_HOME/secret.key (set it, the same on every replica, with PostgreSQL).")

    # Proactive posts (docs/proactive.md)
    scheduler: bool = Field(default=True, description="Run scheduled jobs (digests, exposure scans) in "
                            "`guardian serve`; every replica may, the database makes each run happen once.")
    digest_hour: int = Field(default=8, ge=0, le=23, description="UTC hour after which digests are posted.")
    exposure_scan_interval: int = Field(default=900, ge=5, description="Seconds between exposure scans.")
    inventory_sync_interval: int = Field(default=3600, ge=0, description="Seconds between inventory snapshots "
                                         "in `guardian serve` (`guardian inventory sync` on a schedule); 0: never.")

    # SDK conventions read through the settings so the composition root can pass them down.
    aws_default_region: str | None = Field(default=None, validation_alias="AWS_DEFAULT_REGION")
    aws_endpoint_url: str | None = Field(default=None, validation_alias="AWS_ENDPOINT_URL")
    google_cloud_project: str | None = Field(default=None, validation_alias="GOOGLE_CLOUD_PROJECT")
    gcp_api_url: str | None = Field(default=None, description="One base URL for the Google Cloud Logging, Compute "
                                    "and Storage APIs (a local stand-in); unset: Google's endpoints.")
    gcp_anonymous: bool = Field(default=False, description="Send Google Cloud no credentials (a stand-in only).")
    github_token: SecretStr | None = Field(default=None, validation_alias="GITHUB_TOKEN")
    github_api_url: str | None = Field(default=None, validation_alias="GITHUB_API_URL")
    pagerduty_api_key: SecretStr | None = Field(default=None, validation_alias="PAGERDUTY_API_KEY")
    pagerduty_api_url: str | None = Field(default=None, validation_alias="PAGERDUTY_API_URL")
    azure_subscription_id: str | None = Field(default=None, validation_alias="AZURE_SUBSCRIPTION_ID")
    # Microsoft Teams (bot/teams_surface.py): the Azure Bot registration. No app id: /api/messages is
    # disabled (404) unless GUARDIAN_INSECURE_DEV=1, where the SDK then skips JWT validation.
    microsoft_app_id: str | None = Field(default=None, validation_alias="MICROSOFT_APP_ID")
    microsoft_app_password: SecretStr | None = Field(default=None, validation_alias="MICROSOFT_APP_PASSWORD")
    microsoft_app_tenant_id: str | None = Field(default=None, validation_alias="MICROSOFT_APP_TENANT_ID")
    teams_incident_conversation: str | None = Field(default=None, description="Teams conversation id that "
                                                    "receives proactive incident briefs.")
    teams_service_url: str = Field(default="https://smba.trafficmanager.net/teams/",
                                   description="Bot Connector URL for proactive posts (inbound turns use "
                                   "the activity's own serviceUrl).")
    teams_openid_metadata_url: str = Field(
        default="https://login.botframework.com/v1/.well-known/openidconfiguration",
        description="OpenID metadata whose keys sign inbound Bot Framework tokens (other clouds differ).")
    teams_token_issuer: str = Field(default="https://api.botframework.com",
                                    description="Issuer of inbound Bot Framework tokens.")
    github_org: str | None = None
    github_repos: Annotated[list[str], NoDecode] = Field(default_factory=list, description="owner/name repos to watch.")
    pagerduty_from_email: str | None = Field(default=None, description="From header for PagerDuty writes.")
    pagerduty_ca_bundle: Path | None = Field(default=None, description="CA file for a private PagerDuty URL.")
    # Azure (tools/azure/): ARM endpoint for sovereign clouds and the sandbox, its CA, and a static
    # bearer token (the sandbox); unset token: azure-identity's DefaultAzureCredential.
    azure_arm_url: str | None = Field(default=None, description="Azure Resource Manager URL (default "
                                      "https://management.azure.com).")
    azure_ca_bundle: Path | None = Field(default=None, description="CA file for a private ARM URL.")
    azure_token: SecretStr | None = Field(default=None, description="A static ARM bearer token (the sandbox).")
    slack_bot_token: SecretStr | None = Field(default=None, validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(default=None, validation_alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(default=None, validation_alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field(default="https://slack.com/api/", validation_alias="SLACK_API_URL")
    # GitHub workflow_run webhooks (bot/github_webhook.py, docs/github.md): unset secret: 404.
    github_webhook_secret: SecretStr | None = Field(default=None, validation_alias="GITHUB_WEBHOOK_SECRET")
    cicd_channel: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Slack channel id(s), comma-separated, that receive failed runs of "
        "default branches (GUARDIAN_CICD_CHANNEL).")
    # PagerDuty webhooks (bot/pagerduty_webhook.py, docs/pagerduty.md)
    pagerduty_webhook_secret: SecretStr | None = Field(
        default=None, validation_alias="PAGERDUTY_WEBHOOK_SECRET",
        description="The v3 webhook subscription's signing secret; several comma-separated while rotating.")
    incident_channel: str | None = Field(default=None, description="Slack channel id that receives incident briefs.")
    pagerduty_users: Annotated[dict[str, str], NoDecode] = Field(
        default_factory=dict, description="chat user id -> PagerDuty user email Guardian acts as for them, "
        "as 'U123:alice@example.com,U456:bob@example.com'.")
    # Alertmanager webhooks (bot/alertmanager_webhook.py, docs/alertmanager.md): unset: 404.
    alertmanager_token: SecretStr | None = Field(
        default=None, description="Bearer token Alertmanager sends (http_config.authorization.credentials) to "
        "POST /webhooks/alertmanager (GUARDIAN_ALERTMANAGER_TOKEN).")
    # Guardian as an MCP server (bot/mcp_server.py, docs/mcp.md): unset token: /mcp answers 404.
    mcp_token: SecretStr | None = Field(
        default=None, description="Bearer token MCP clients send to /mcp on `guardian serve` (GUARDIAN_MCP_TOKEN).")
    mcp_user: str = Field(default="mcp", min_length=1, max_length=256, description="The identity MCP calls "
                          "carry: the access policy maps it to roles and the audit names it (GUARDIAN_MCP_USER).")
    slack_mode: Literal["auto", "http", "socket"] = Field(
        default="auto", description="Slack transport: HTTP events on /slack/events or Socket Mode; auto: "
        "Socket Mode when SLACK_APP_TOKEN is set.")

    @field_validator("aws_regions", "github_repos", "cicd_channel", mode="before")
    @classmethod
    def _split_regions(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("pagerduty_users", mode="before")
    @classmethod
    def _pagerduty_users(cls, value: Any) -> Any:
        if isinstance(value, str):
            return parse_user_map(value)
        return value

    @field_validator("web_token", mode="after")
    @classmethod
    def _web_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            parse_web_tokens(value.get_secret_value())  # refuses a malformed list at start-up
        return value

    @property
    def web_tokens(self) -> dict[str, SecretStr]:
        """Web chat token per identity name (empty: the web chat is disabled)."""
        if self.web_token is None:
            return {}
        return parse_web_tokens(self.web_token.get_secret_value())

    @property
    def effective_database_url(self) -> str:
        """The one database URL for checkpoints, approvals and audit."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'guardian.db').resolve()}"

    @property
    def regions(self) -> list[str]:
        """Regions to scan: GUARDIAN_AWS_REGIONS, else the SDK's default region."""
        if self.aws_regions:
            return list(self.aws_regions)
        return [self.aws_default_region or "us-east-1"]

    @property
    def llm_enabled(self) -> bool:
        return self.llm.strip().lower() not in ("", "none", "off")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,  # noqa: ARG003
        file_secret_settings: PydanticBaseSettingsSource,  # noqa: ARG003
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_path = os.environ.get("GUARDIAN_CONFIG")
        if config_path:
            sources.append(YamlConfigSettingsSource(settings_cls, yaml_file=config_path))
        return tuple(sources)


def parse_user_map(value: str) -> dict[str, str]:
    """``GUARDIAN_PAGERDUTY_USERS`` as {chat user id: PagerDuty email}; an entry that is not
    ``id:email`` is refused at start-up, named by position."""
    users: dict[str, str] = {}
    for position, entry in enumerate(value.split(","), start=1):
        if not entry.strip():
            continue
        chat_id, sep, email = entry.strip().partition(":")
        chat_id, email = chat_id.strip(), email.strip()
        if not sep or not chat_id or "@" not in email:
            raise ValueError(f"GUARDIAN_PAGERDUTY_USERS entry {position} is not chat-user-id:pagerduty-email")
        users[chat_id] = email
    return users


WEB_TOKEN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


def parse_web_tokens(value: str) -> dict[str, SecretStr]:
    """``GUARDIAN_WEB_TOKEN`` as {name: token}: one bare token is the user "web"; a value
    with a comma or colon is a list of ``name:token`` entries (so a single token must not
    contain either). Errors name the entry by position, never the token."""
    value = value.strip()
    if not value:
        raise ValueError("GUARDIAN_WEB_TOKEN is empty: unset it to disable the web chat")
    if "," not in value and ":" not in value:
        return {"web": SecretStr(value)}
    tokens: dict[str, SecretStr] = {}
    seen: set[str] = set()
    for position, entry in enumerate(value.split(","), start=1):
        name, sep, token = entry.strip().partition(":")
        name, token = name.strip(), token.strip()
        if not sep or not token:
            raise ValueError(f"GUARDIAN_WEB_TOKEN entry {position} is not name:token")
        if not WEB_TOKEN_NAME.match(name):
            raise ValueError(f"GUARDIAN_WEB_TOKEN entry {position}: the name must be 1-64 letters, digits or ._@-")
        if name in tokens:
            raise ValueError(f"GUARDIAN_WEB_TOKEN entry {position}: the name {name} is given twice")
        if token in seen:
            raise ValueError(f"GUARDIAN_WEB_TOKEN entry {position}: its token is another entry's too")
        seen.add(token)
        tokens[name] = SecretStr(token)
    return tokens


def load_settings(**overrides: Any) -> Settings:
    """Build the settings once; a broken YAML file, a home that cannot be one: a user error
    with one clear line naming the file and what to do."""
    config_path = os.environ.get("GUARDIAN_CONFIG")
    if config_path:
        check_config_file(Path(config_path))
    try:
        settings = Settings(**overrides)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = " ".join(str(getattr(exc, "problem", None) or exc).split())
        raise ValueError(f"GUARDIAN_CONFIG {config_path} is not valid YAML ({where}{problem}): fix it or unset "
                         "GUARDIAN_CONFIG.") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        raise ValueError(f"Invalid setting {where}: {first.get('msg')}") from exc
    prepare_home(settings.home, database=settings.database_url is None)
    return settings


def check_config_file(path: Path) -> None:
    """GUARDIAN_CONFIG names a readable UTF-8 file (a name that leads nowhere is a mistake
    worth saying, not a file to ignore)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise ValueError(f"GUARDIAN_CONFIG names {path}, which does not exist: create it or unset "
                         "GUARDIAN_CONFIG.") from exc
    except IsADirectoryError as exc:
        raise ValueError(f"GUARDIAN_CONFIG names {path}, a directory: point it at a YAML file.") from exc
    except OSError as exc:
        raise ValueError(f"GUARDIAN_CONFIG {path} cannot be read ({exc.strerror}): fix its permissions or unset "
                         "GUARDIAN_CONFIG.") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"GUARDIAN_CONFIG {path} is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset "
                         f"{exc.start}): save it as UTF-8.") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return  # said with its line number when the settings read it
    if data is not None and not isinstance(data, dict):
        raise ValueError(f"GUARDIAN_CONFIG {path} must be a YAML mapping of setting names to values, not a "
                         f"{type(data).__name__}.")


def prepare_home(home: Path, database: bool = True) -> None:
    """GUARDIAN_HOME exists (made if missing), is a directory, and this user may use it and
    the database in it."""
    if home.exists() and not home.is_dir():
        raise ValueError(f"GUARDIAN_HOME {home} is a file, not a directory: point GUARDIAN_HOME at a directory "
                         "(or move the file away).")
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"Cannot create GUARDIAN_HOME {home} ({exc.strerror}): create it yourself or point "
                         "GUARDIAN_HOME elsewhere.") from exc
    if not os.access(home, os.R_OK | os.W_OK | os.X_OK):
        raise ValueError(f"GUARDIAN_HOME {home} is not readable and writable by this user: fix its permissions "
                         f"(chmod u+rwx {home}) or point GUARDIAN_HOME elsewhere.")
    db = home / "guardian.db"
    if database and db.exists() and (not db.is_file() or not os.access(db, os.R_OK | os.W_OK)):
        raise ValueError(f"The database {db} is not a file this user can read and write: fix its permissions "
                         "or move it aside.")
