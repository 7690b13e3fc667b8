"""GUARDIAN_LLM that cannot be built (its provider's extra missing, or a value LangChain does
not know) is a user error of one line, from the composition root and from the CLI."""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path

import pytest

from bot.errors import UserError
from bot.llm import build_chat_model
from tests.e2e.conftest import GUARDIAN, base_env

NOT_INSTALLED = importlib.util.find_spec("langchain_ollama") is None


@pytest.mark.skipif(not NOT_INSTALLED, reason="the ollama extra is installed here")
def test_a_provider_without_its_extra_names_the_extra_to_install() -> None:
    with pytest.raises(UserError) as caught:
        build_chat_model("ollama:llama3.1")
    assert str(caught.value) == ("GUARDIAN_LLM=ollama:llama3.1 needs its provider's package: pip install -e "
                                 "'.[ollama]' (or 'guardian-angel[ollama]'); see docs/llm.md.")


def test_a_value_langchain_cannot_place_is_refused() -> None:
    with pytest.raises(UserError, match=r"^GUARDIAN_LLM=gibberish is not a provider:model LangChain knows"):
        build_chat_model("gibberish")


@pytest.mark.slow
@pytest.mark.skipif(not NOT_INSTALLED, reason="the ollama extra is installed here")
def test_the_cli_says_it_in_one_line_and_exits_1(tmp_path: Path) -> None:
    env = {**base_env(tmp_path / "home"), "GUARDIAN_LLM": "ollama:llama3.1"}
    done = subprocess.run([str(GUARDIAN), "ask", "--json", "which buckets are public?"], env=env,
                          capture_output=True, text=True, timeout=180, check=False)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr.strip() == ("guardian: GUARDIAN_LLM=ollama:llama3.1 needs its provider's package: pip install "
                                   "-e '.[ollama]' (or 'guardian-angel[ollama]'); see docs/llm.md.")
