"""The web chat served as `guardian serve` serves it, in a process that dies (SIGKILL, as an
OOM kill or a Kubernetes kill ends a replica) the moment the model is called the second
time in a turn: the first model step and its round of tool calls are checkpointed, the
answer never comes, and the page's stream breaks. tests/e2e/test_web_resume.py runs it as
``python -m tests.e2e.crashing_web_server PORT RESOURCE``; it prints its address once it
serves. Settings come from the environment (GUARDIAN_HOME, GUARDIAN_WEB_TOKEN and the
sandbox's variables)."""

from __future__ import annotations

import sys
import time

from bot.http_app import BackgroundServer
from bot.runtime import Runtime
from bot.settings import load_settings
from tests.e2e.crashing_turn import DESCRIBE, DiesOnSecondCall
from tests.helpers import tool_call


def main() -> int:
    port, resource = int(sys.argv[1]), sys.argv[2]
    model = DiesOnSecondCall(responses=[tool_call(DESCRIBE, {"resource_id": resource}, call_id="c1")])
    settings = load_settings(llm_routing="never", resume_turns=False, scheduler=False)
    with Runtime(settings, chat_model=model) as runtime, BackgroundServer(runtime, port=port) as server:
        runtime.guardian  # noqa: B018 - built before the page asks, so the kill comes at the model call
        sys.stdout.write(server.url + "\n")
        sys.stdout.flush()
        while True:  # until the turn's second model call kills the process
            time.sleep(60)


if __name__ == "__main__":
    raise SystemExit(main())
