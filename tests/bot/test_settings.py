from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import load_settings


def test_yaml_file_fills_in_and_environment_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "guardian.yaml"
    config.write_text(f"home: {tmp_path / 'h'}\naws_regions: [eu-west-1, us-east-1]\nllm: none\n"
                      "router_threshold: 0.3\n")
    monkeypatch.setenv("GUARDIAN_CONFIG", str(config))
    monkeypatch.setenv("GUARDIAN_ROUTER_THRESHOLD", "0.6")
    monkeypatch.delenv("GUARDIAN_AWS_REGIONS", raising=False)
    settings = load_settings()
    assert settings.home == tmp_path / "h"
    assert settings.regions == ["eu-west-1", "us-east-1"]
    assert settings.router_threshold == 0.6
    assert settings.effective_database_url.endswith("/h/guardian.db")
    assert not settings.llm_enabled


def test_regions_from_comma_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUARDIAN_AWS_REGIONS", " us-east-1, eu-west-1 ,")
    assert load_settings(home=tmp_path).regions == ["us-east-1", "eu-west-1"]


def test_default_region_falls_back_to_sdk_convention(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GUARDIAN_AWS_REGIONS", raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-southeast-2")
    assert load_settings(home=tmp_path).regions == ["ap-southeast-2"]


@pytest.mark.parametrize("content", ["home: [unclosed", "router_threshold: lots"])
def test_bad_config_is_one_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text(content)
    monkeypatch.setenv("GUARDIAN_CONFIG", str(config))
    with pytest.raises(ValueError, match=r"GUARDIAN_CONFIG|Invalid setting"):
        load_settings(home=tmp_path)
