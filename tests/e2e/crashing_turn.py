"""One LLM-mode turn asked from a Slack thread, in a process that dies (SIGKILL, as the
kernel's OOM killer or a Kubernetes kill ends a replica) the moment the model is called
the second time: the first model step and its round of tool calls are checkpointed, the
second model step never finishes. tests/e2e/test_turn_recovery.py runs it as a subprocess:
``python -m tests.e2e.crashing_turn REQUEST_JSON RESOURCE``; settings come from the
environment (GUARDIAN_HOME and the sandbox's variables), as `guardian serve` reads them."""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

from langchain_core.messages import BaseMessage

from agents.request import Request
from bot.runtime import Runtime
from bot.settings import load_settings
from tests.helpers import ToolCallingFakeChatModel, tool_call

DESCRIBE = "aws_describe_resource"


class DiesOnSecondCall(ToolCallingFakeChatModel):
    """The scripted model, until its second call: then the whole process is killed."""

    def invoke(self, input: Any, *args: Any, **kwargs: Any) -> BaseMessage:
        if self.seen_messages:
            os.kill(os.getpid(), signal.SIGKILL)
        return super().invoke(input, *args, **kwargs)


def main() -> int:
    request = Request.model_validate_json(sys.argv[1])
    model = DiesOnSecondCall(responses=[tool_call(DESCRIBE, {"resource_id": sys.argv[2]}, call_id="c1")])
    with Runtime(load_settings(llm_routing="never"), chat_model=model) as runtime:
        runtime.guardian.ask(request)
    return 3  # not reached: the second model call ends the process


if __name__ == "__main__":
    raise SystemExit(main())
