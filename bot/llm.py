"""The chat model of LLM mode, from ``GUARDIAN_LLM=provider:model`` (docs/llm.md). A provider
whose optional extra is not installed, or a value LangChain cannot place, is a user error
with one line saying what to install or set, not a traceback at the first turn."""

from __future__ import annotations

from typing import Any

from bot.errors import UserError, one_line

# init_chat_model's provider name -> Guardian's optional extra that installs its package.
EXTRAS = {"openai": "openai", "anthropic": "anthropic", "azure_openai": "azure", "bedrock": "bedrock",
          "bedrock_converse": "bedrock", "ollama": "ollama"}


def build_chat_model(spec: str) -> Any:
    from langchain.chat_models import init_chat_model

    provider = spec.split(":", 1)[0].strip().lower()
    try:
        return init_chat_model(spec)
    except ImportError as exc:
        extra = EXTRAS.get(provider)
        how = (f"pip install -e '.[{extra}]' (or 'guardian-angel[{extra}]')" if extra
               else f"install the LangChain package for {provider}")
        raise UserError(f"GUARDIAN_LLM={spec} needs its provider's package: {how}; see docs/llm.md.") from exc
    except ValueError as exc:
        raise UserError(f"GUARDIAN_LLM={spec} is not a provider:model LangChain knows "
                        f"(e.g. openai:gpt-4o-mini, ollama:llama3.1): {one_line(str(exc), 160)}") from exc
