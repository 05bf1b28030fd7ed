"""The generated Python SDK (dist/python) against the live server.

The SDK is imported as pip installed it into the venv (`make venv`), so these
tests also prove the generated package installs; they fail with a hint when
the installed copy is not the one in dist/python. The README's Python section
is run as written.
"""

import asyncio
import importlib.metadata
import re
from collections.abc import Iterator
from http import HTTPStatus
from pathlib import Path
from typing import TypeVar

import httpx
import pytest
import yaml
from privatellm_client import AuthenticatedClient
from privatellm_client.api.api_key_service import (
    api_key_service_create_api_key,
    api_key_service_update_api_key,
)
from privatellm_client.api.conversation_service import (
    conversation_service_create_conversation,
    conversation_service_delete_conversation,
    conversation_service_get_conversation,
    conversation_service_update_conversation,
)
from privatellm_client.api.limits_service import limits_service_get_effective_limits
from privatellm_client.api.message_service import (
    message_service_list_messages,
    message_service_send_message,
    message_service_stream_message,
)
from privatellm_client.models import (
    ApiKey,
    Conversation,
    Limits,
    MessageRole,
    MessageStatus,
    QuotaError,
    SendMessageRequest,
    Status,
    StreamMessageResponse,
)
from privatellm_client.types import Response

from tests.api.resource_client import sse_events
from tests.conftest import ROOT

SDK = ROOT / "dist" / "python"
PACKAGE = "privatellm_client"
T = TypeVar("T")


@pytest.fixture
def client(live_url: str, user_key: str) -> Iterator[AuthenticatedClient]:
    with AuthenticatedClient(
        base_url=live_url, token=user_key, timeout=httpx.Timeout(10.0)
    ) as sdk_client:
        yield sdk_client


def ok(response: Response[T | Status]) -> T:
    """The parsed 200 answer (not the error envelope)."""
    assert response.status_code == HTTPStatus.OK, response.content
    assert response.parsed is not None and not isinstance(response.parsed, Status)
    return response.parsed


def admitted(response: Response[T | QuotaError | Status]) -> T:
    """The parsed 200 answer of an operation the limits may refuse (429, QuotaError)."""
    assert response.status_code == HTTPStatus.OK, response.content
    parsed = response.parsed
    assert parsed is not None and not isinstance(parsed, Status | QuotaError)
    return parsed


def error(response: Response[T | Status], status: HTTPStatus, code: int) -> Status:
    assert response.status_code == status, response.content
    assert isinstance(response.parsed, Status), response.content
    assert response.parsed.code == code and response.parsed.message
    return response.parsed


def test_the_installed_sdk_is_the_generated_one() -> None:
    import privatellm_client

    spec = yaml.safe_load((ROOT / "docs" / "openapi.yaml").read_text())
    assert importlib.metadata.version("privatellm-client") == spec["info"]["version"]
    installed = Path(privatellm_client.__file__).parent
    assert installed != SDK / PACKAGE, "imported from the checkout, not a pip install"
    generated = {p.relative_to(SDK / PACKAGE): p for p in (SDK / PACKAGE).rglob("*.py")}
    stale = [
        str(name)
        for name, path in sorted(generated.items())
        if not (installed / name).is_file() or (installed / name).read_bytes() != path.read_bytes()
    ]
    # A module the generator no longer writes must not linger in the venv either.
    stale += sorted(
        str(p.relative_to(installed))
        for p in installed.rglob("*.py")
        if p.relative_to(installed) not in generated
    )
    assert not stale, f"the venv's SDK differs from dist/python; run `make venv`: {stale[:5]}"


def test_conversation_flow_through_the_sdk(client: AuthenticatedClient) -> None:
    created = ok(
        conversation_service_create_conversation.sync_detailed(
            client=client, body=Conversation(title="Through the SDK", model="echo")
        )
    )
    assert isinstance(created.id, str) and created.name == f"conversations/{created.id}"
    assert isinstance(created.etag, str) and created.etag
    cid = created.id

    sent = admitted(
        message_service_send_message.sync_detailed(
            cid, client=client, body=SendMessageRequest(content="hello sdk")
        )
    )
    assert sent.user_message and sent.assistant_message
    assert sent.user_message.role == MessageRole.USER
    assert sent.assistant_message.role == MessageRole.ASSISTANT
    assert sent.assistant_message.status == MessageStatus.COMPLETE
    assert sent.assistant_message.content == "Echo: hello sdk"

    listed = ok(message_service_list_messages.sync_detailed(cid, client=client))
    assert listed.messages
    assert [(m.id, m.content) for m in listed.messages] == [
        (sent.user_message.id, "hello sdk"),
        (sent.assistant_message.id, "Echo: hello sdk"),
    ]

    # Sending a message changed the conversation, so the etag from creation is stale.
    current = ok(conversation_service_get_conversation.sync_detailed(cid, client=client))
    assert current.message_count == 2 and current.etag != created.etag
    stale = conversation_service_update_conversation.sync_detailed(
        cid, client=client, body=Conversation(title="Lost", etag=created.etag), update_mask="title"
    )
    error(stale, HTTPStatus.CONFLICT, 10)
    renamed = ok(
        conversation_service_update_conversation.sync_detailed(
            cid,
            client=client,
            body=Conversation(title="Renamed", system_prompt="ignored", etag=current.etag),
            update_mask="title",
        )
    )
    assert (renamed.title, renamed.system_prompt) == ("Renamed", "")
    assert renamed.etag and renamed.etag != current.etag

    deleted = conversation_service_delete_conversation.sync_detailed(
        cid, client=client, etag=renamed.etag
    )
    assert deleted.status_code == HTTPStatus.OK, deleted.content

    gone = conversation_service_get_conversation.sync_detailed(cid, client=client)
    assert error(gone, HTTPStatus.NOT_FOUND, 5).message
    assert conversation_service_get_conversation.sync(cid, client=client) == gone.parsed


def stream_events(text: str) -> list[StreamMessageResponse]:
    """The events of an SSE body, each read into the generated event model."""
    lines = text.split("\n")  # SSE ends lines at LF (CR/CRLF too, which we do not send)
    return [StreamMessageResponse.from_dict({name: data}) for name, data in sse_events(lines)]


def test_the_stream_operation_returns_the_event_stream_as_text(
    client: AuthenticatedClient,
) -> None:
    chat = ok(
        conversation_service_create_conversation.sync_detailed(
            client=client, body=Conversation(title="Streamed through the SDK")
        )
    )
    assert isinstance(chat.id, str)
    streamed = message_service_stream_message.sync_detailed(
        chat.id, client=client, body=SendMessageRequest(content="stream this")
    )
    assert streamed.status_code == HTTPStatus.OK, streamed.content
    assert streamed.headers["content-type"].startswith("text/event-stream")
    assert isinstance(streamed.parsed, str)
    events = stream_events(streamed.parsed)
    first, *deltas, last = events
    assert first.user_message and first.user_message.content == "stream this"
    assert deltas and all(event.delta for event in deltas)
    text = [event.delta.content for event in deltas if event.delta]
    assert all(isinstance(piece, str) for piece in text)
    assert "".join(str(piece) for piece in text) == "Echo: stream this"
    assert last.assistant_message and last.assistant_message.status == MessageStatus.COMPLETE
    assert last.assistant_message.content == "Echo: stream this"

    # Refused before the stream starts: the JSON envelope, read as the error model.
    refused = message_service_stream_message.sync(
        "no-such-chat", client=client, body=SendMessageRequest(content="hello?")
    )
    assert isinstance(refused, Status) and refused.code == 5


def test_the_async_twins_answer_like_sync(live_url: str, user_key: str) -> None:
    async def create_then_get() -> tuple[object, object]:
        async with AuthenticatedClient(base_url=live_url, token=user_key) as client:
            created = await conversation_service_create_conversation.asyncio(
                client=client, body=Conversation(title="Async")
            )
            assert isinstance(created, Conversation) and isinstance(created.id, str)
            missing = await conversation_service_get_conversation.asyncio("nope", client=client)
            return created, missing

    created, missing = asyncio.run(create_then_get())
    assert isinstance(created, Conversation) and created.title == "Async"
    assert isinstance(missing, Status) and missing.code == 5


def readme_python_blocks() -> list[str]:
    """The ```python blocks of the README's `### Python (dist/python)` subsection."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("### Python (dist/python)\n", 1)[1]
    section = re.split(r"\n##+ ", section, maxsplit=1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)


def test_readme_python_section_runs_as_written(
    live_url: str,
    user_key: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    blocks = readme_python_blocks()
    assert len(blocks) == 2, "the example and the event-stream lines"
    assert "get_httpx_client()" in blocks[1]
    monkeypatch.setenv("API", live_url)
    monkeypatch.setenv("KEY", user_key)
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)
    client = namespace["client"]
    assert isinstance(client, AuthenticatedClient)
    client.get_httpx_client().close()
    assert capsys.readouterr().out == "Echo: Hi\nEcho: More"


def test_a_keys_limits_set_updated_and_read_back_with_what_is_left(
    client: AuthenticatedClient, live_url: str
) -> None:
    created = ok(
        api_key_service_create_api_key.sync_detailed(
            client=client,
            body=ApiKey(display_name="sdk limits", limits=Limits(requests_per_minute=5)),
        )
    )
    key, secret = created.api_key, created.secret
    assert key and isinstance(key.id, str) and isinstance(secret, str)
    assert key.limits and key.limits.requests_per_minute == 5
    updated = ok(
        api_key_service_update_api_key.sync_detailed(
            key.id,
            client=client,
            body=ApiKey(limits=Limits(requests_per_minute=7, tokens_per_day="5000"), etag=key.etag),
            update_mask="limits",
        )
    )
    assert updated.limits and updated.limits.requests_per_minute == 7
    assert updated.limits.tokens_per_day == "5000"
    with AuthenticatedClient(base_url=live_url, token=secret) as own:
        mine = ok(limits_service_get_effective_limits.sync_detailed(client=own))
    assert mine.api_key == f"apiKeys/{key.id}"
    found = {(item.limit, item.value, item.remaining) for item in mine.limits or []}
    assert ("requests_per_minute", 7, 7) in found and ("tokens_per_day", 5000, 5000) in found
