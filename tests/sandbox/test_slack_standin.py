"""The Slack Web API stand-in speaks the external file upload flow and
``apps.connections.open`` as Slack does, to the real slack_sdk client: an upload URL on
the stand-in, the bytes kept as sent, a completion that refuses a file never uploaded,
and a connection URL only for an app-level token."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from sandbox.slack_api import SlackApiStandIn

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4  # not text: kept byte for byte


@pytest.fixture(scope="module")
def slack() -> Iterator[SlackApiStandIn]:
    with SlackApiStandIn() as stand_in:
        yield stand_in


def test_files_upload_v2_shares_the_bytes_to_the_thread(slack: SlackApiStandIn) -> None:
    client = AsyncWebClient(token="xoxb-test", base_url=slack.api_url)
    done = asyncio.run(client.files_upload_v2(channel="C1FILES", thread_ts="1700000001.000100", content=PNG,
                                              filename="trend.png", title="Trend", alt_txt="a line"))
    upload = next(f for f in slack.files() if f.id == done["file"]["id"])
    assert upload.data == PNG and upload.length == len(PNG)
    assert (upload.channel, upload.thread_ts, upload.title, upload.alt_txt) == (
        "C1FILES", "1700000001.000100", "Trend", "a line")


def test_completing_a_file_that_was_never_uploaded_is_refused(slack: SlackApiStandIn) -> None:
    client = AsyncWebClient(token="xoxb-test", base_url=slack.api_url)

    async def scenario() -> None:
        started = await client.files_getUploadURLExternal(filename="never.png", length=10)
        with pytest.raises(SlackApiError) as refused:
            await client.files_completeUploadExternal(files=[{"id": started["file_id"]}], channel_id="C1FILES")
        assert refused.value.response["error"] == "file_not_found"
        async with httpx.AsyncClient() as http:  # an upload URL that was never given out
            assert (await http.post(f"{slack.url}/upload/FNOSUCH", content=b"x")).status_code == 404

    asyncio.run(scenario())
    assert not next(f for f in slack.files() if f.filename == "never.png").shared


def test_a_socket_mode_connection_needs_an_app_token(slack: SlackApiStandIn) -> None:
    slack.serve_socket_mode("ws://127.0.0.1:1/link/?ticket=t")

    async def scenario() -> None:
        opened = await AsyncWebClient(base_url=slack.api_url).apps_connections_open(app_token="xapp-1-test")
        assert opened["url"] == "ws://127.0.0.1:1/link/?ticket=t"
        with pytest.raises(SlackApiError) as refused:
            await AsyncWebClient(base_url=slack.api_url).apps_connections_open(app_token="xoxb-not-an-app-token")
        assert refused.value.response["error"] == "not_allowed_token_type"

    asyncio.run(scenario())
