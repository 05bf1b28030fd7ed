"""The official `openai` SDK, pointed at /openai/v1, against the live server (echo model)."""

import httpx
import openai
import pytest


@pytest.fixture
def client(live_url: str, user_key: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{live_url}/openai/v1", api_key=user_key, max_retries=0)


def usage_requests(live_url: str, key: str, model: str) -> int:
    response = httpx.get(
        f"{live_url}/v1/usage",
        params={"model": model},
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return int(response.json().get("totalRequests", 0))


def test_create_completes_and_counts_usage(
    client: openai.OpenAI, live_url: str, user_key: str
) -> None:
    before = usage_requests(live_url, user_key, "echo")
    completion = client.chat.completions.create(
        model="echo",
        messages=[
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "hello from the sdk"},
        ],
    )
    assert completion.object == "chat.completion"
    assert completion.model == "echo"
    choice = completion.choices[0]
    assert choice.message.role == "assistant"
    assert "hello from the sdk" in (choice.message.content or "")
    assert choice.finish_reason == "stop"
    assert completion.usage is not None and completion.usage.completion_tokens > 0
    assert usage_requests(live_url, user_key, "echo") == before + 1


def test_max_tokens_ends_with_length(client: openai.OpenAI) -> None:
    completion = client.chat.completions.create(
        model="echo",
        messages=[{"role": "user", "content": "one two three four five"}],
        max_tokens=2,
    )
    assert completion.choices[0].finish_reason == "length"
    assert completion.usage is not None and completion.usage.completion_tokens == 2


def test_stream_delivers_deltas_then_usage(client: openai.OpenAI) -> None:
    chunks = list(
        client.chat.completions.create(
            model="echo",
            messages=[{"role": "user", "content": "stream these words"}],
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert "stream these words" in text
    finishes = [
        c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason
    ]
    assert finishes == ["stop"]
    assert chunks[-1].choices == [] and chunks[-1].usage is not None
    assert chunks[-1].usage.total_tokens > 0


def test_stream_failing_midway_raises_in_the_sdk(client: openai.OpenAI) -> None:
    stream = client.chat.completions.create(
        model="echo",
        messages=[{"role": "user", "content": "a b c d e f [echo:fail-after=3]"}],
        stream=True,
    )
    with pytest.raises(openai.APIError) as raised:
        for _ in stream:
            pass
    assert isinstance(raised.value.body, dict) and raised.value.body["code"] == 14


def test_models_lists_the_available_catalog(client: openai.OpenAI) -> None:
    ids = [model.id for model in client.models.list()]
    assert "echo" in ids
    assert "echo-disabled" not in ids  # enabled: false in config/test.yaml


def test_unknown_model_raises_with_our_envelope(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as raised:
        client.chat.completions.create(
            model="no-such-model", messages=[{"role": "user", "content": "hi"}]
        )
    assert raised.value.status_code == 404
    assert raised.value.body == {
        "code": 5,
        "message": "model 'no-such-model' is not in the catalog (see /models)",
    }


def test_unavailable_model_answers_9(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.chat.completions.create(
            model="echo-disabled", messages=[{"role": "user", "content": "hi"}]
        )
    assert isinstance(raised.value.body, dict) and raised.value.body["code"] == 9


def test_bad_stop_answers_3(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.chat.completions.create(
            model="echo",
            messages=[{"role": "user", "content": "hi"}],
            stop=["a", "b", "c", "d", "e"],
        )
    assert isinstance(raised.value.body, dict) and raised.value.body["code"] == 3


def test_wrong_key_raises_authentication_error(live_url: str) -> None:
    bad = openai.OpenAI(base_url=f"{live_url}/openai/v1", api_key="pllm_wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as raised:
        bad.models.list()
    assert isinstance(raised.value.body, dict) and raised.value.body["code"] == 16
