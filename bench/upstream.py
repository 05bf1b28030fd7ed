"""A zero-latency OpenAI-compatible upstream for the overhead benchmark: real HTTP on loopback.

A bare ASGI app under uvicorn (the server every target of the bench runs on),
so it answers as fast as Python can: POST /v1/chat/completions (JSON, or an
event stream of a few chunks when `"stream": true`), and GET /v1/models.

    python -m bench.upstream PORT
"""

import json
import sys
from typing import Any

from starlette.types import Receive, Scope, Send

_WORDS = ["Hello ", "from ", "the ", "bench."]
_COMPLETION = json.dumps(
    {
        "id": "chatcmpl-bench",
        "object": "chat.completion",
        "created": 0,
        "model": "bench",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "".join(_WORDS)},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 9, "completion_tokens": 4, "total_tokens": 13},
    }
).encode()


def _event(data: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(data).encode() + b"\n\n"


_STREAM = b"".join(
    [
        *(_event({"choices": [{"index": 0, "delta": {"content": word}}]}) for word in _WORDS),
        _event({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}),
        _event({"choices": [], "usage": {"prompt_tokens": 9, "completion_tokens": 4}}),
        b"data: [DONE]\n\n",
    ]
)
_MODELS = json.dumps({"object": "list", "data": [{"id": "bench", "object": "model"}]}).encode()


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    body = b""
    more = True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    if scope["path"] == "/v1/chat/completions" and scope["method"] == "POST":
        streamed = b'"stream":true' in body.replace(b" ", b"")
        payload, kind = (_STREAM, b"text/event-stream") if streamed else (_COMPLETION, None)
        await _answer(send, 200, payload, kind or b"application/json")
    elif scope["path"] == "/v1/models":
        await _answer(send, 200, _MODELS, b"application/json")
    else:
        await _answer(send, 404, b'{"error": {"message": "no such path"}}', b"application/json")


async def _answer(send: Send, status: int, payload: bytes, content_type: bytes) -> None:
    headers = [(b"content-type", content_type), (b"content-length", str(len(payload)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


if __name__ == "__main__":
    import uvicorn

    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
