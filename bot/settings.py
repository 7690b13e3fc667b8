"""Guardian's one settings object, built at the composition root and passed down.

Environment variables win over the optional YAML file named by ``GUARDIAN_CONFIG``;
nothing else in the project reads the environment (the cloud SDKs keep their own
conventions, such as ``AWS_ENDPOINT_URL``).
"""

from __future__ import annotations

import os
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
    router_threshold: float = Field(default=0.45, description="Below this the graph asks to clarify.")
    max_tool_steps: int = Field(default=6, description="Cap on LLM tool-loop steps (LLM10).")
    insecure_dev: bool = False
    policy: Path | None = Field(default=None, description="Access policy YAML (docs/CONTRACT.md); unset: "
                                                          "single-user local mode.")
    web_token: SecretStr | None = Field(default=None, description="Bearer token for POST /api/chat.")
    http_max_body_bytes: int = Field(default=1024 * 1024, ge=1024, description="Larger request bodies get 413.")
    secret_key: SecretStr | None = Field(
        default=None, description="Encrypts checkpoints and sealed approval arguments; unset: a key created once "
        "in GUARDIAN_HOME/secret.key (set it, the same on every replica, with PostgreSQL).")

    # SDK conventions read through the settings so the composition root can pass them down.
    aws_default_region: str | None = Field(default=None, validation_alias="AWS_DEFAULT_REGION")
    aws_endpoint_url: str | None = Field(default=None, validation_alias="AWS_ENDPOINT_URL")
    github_token: SecretStr | None = Field(default=None, validation_alias="GITHUB_TOKEN")
    github_api_url: str | None = Field(default=None, validation_alias="GITHUB_API_URL")
    pagerduty_api_key: SecretStr | None = Field(default=None, validation_alias="PAGERDUTY_API_KEY")
    pagerduty_api_url: str | None = Field(default=None, validation_alias="PAGERDUTY_API_URL")
    github_org: str | None = None
    github_repos: Annotated[list[str], NoDecode] = Field(default_factory=list, description="owner/name repos to watch.")
    pagerduty_from_email: str | None = Field(default=None, description="From header for PagerDuty writes.")
    pagerduty_ca_bundle: Path | None = Field(default=None, description="CA file for a private PagerDuty URL.")
    slack_bot_token: SecretStr | None = Field(default=None, validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(default=None, validation_alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(default=None, validation_alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field(default="https://slack.com/api/", validation_alias="SLACK_API_URL")
    slack_mode: Literal["auto", "http", "socket"] = Field(
        default="auto", description="Slack transport: HTTP events on /slack/events or Socket Mode; auto: "
        "Socket Mode when SLACK_APP_TOKEN is set.")

    @field_validator("aws_regions", "github_repos", mode="before")
    @classmethod
    def _split_regions(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

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
