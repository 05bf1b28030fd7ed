"""Benchmark: concurrent streamed answers through each kind of provider.

What it shows: the server keeps the event loop free while providers wait on
their upstreams (boto3 blocks, so Bedrock calls run in worker threads; httpx
is async; echo only sleeps). C streams started together should take about as
long as one: the ratio `C together / one alone` stays near 1 when nothing
blocks, and grows towards C when calls are served one after another.

Every upstream answers the same 20 words, 20 ms apart (the echo model through
its `delay_seconds`, Bedrock and the OpenAI-compatible server through their
local wire-protocol fakes), so one stream takes about 0.4 s anywhere and the
figures compare the server's own overhead. Each figure is the median of
ROUNDS runs, measured in this run against the echo baseline.

    make bench                    # or: python -m bench.stream_concurrency [--streams 16]
"""

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from tests.conftest import ADMIN_SECRET, LiveServer
from tests.fakes.bedrock import FakeBedrock, Turn
from tests.fakes.openai_upstream import FakeOpenAIUpstream, Reply

WORDS = 20
WORD_DELAY = 0.02
ROUNDS = 3
TEXT = " ".join(f"w{i}" for i in range(WORDS))
WINDOW = {"context_window": 8192, "max_output_tokens": 1024}
MODELS = [
    {"id": "echo", "provider": "echo", **WINDOW},
    {"id": "bedrock", "provider": "bedrock", "upstream_model_id": "anthropic.claude", **WINDOW},
    {"id": "openai", "provider": "upstream", "upstream_model_id": "llama3", **WINDOW},
]


async def one_stream(client: httpx.AsyncClient, conversation: str) -> None:
    path = f"/v1/conversations/{conversation}/messages:stream"
    async with client.stream("POST", path, json={"content": TEXT}) as response:
        if response.status_code != 200:
            raise RuntimeError(f"stream answered {response.status_code}")
        last = ""
        async for line in response.aiter_lines():
            last = line if line.startswith("event:") else last
        if last != "event: assistantMessage":
            raise RuntimeError(f"stream ended with {last!r}")


async def timed(client: httpx.AsyncClient, model: str, streams: int) -> float:
    """Seconds for `streams` streams of `model` started together (fresh conversations)."""
    conversations = []
    for _ in range(streams):
        created = await client.post("/v1/conversations", json={"model": model})
        conversations.append(created.json()["id"])
    started = time.perf_counter()
    async with asyncio.timeout(60):
        await asyncio.gather(*(one_stream(client, c) for c in conversations))
    return time.perf_counter() - started


def script_upstreams(bedrock: FakeBedrock, openai: FakeOpenAIUpstream, count: int) -> None:
    bedrock.script(*[Turn(text=TEXT, chunk_delay=WORD_DELAY) for _ in range(count)])
    openai.script(*[Reply(text=TEXT, chunk_delay=WORD_DELAY) for _ in range(count)])


async def measure(url: str, bedrock: FakeBedrock, openai: FakeOpenAIUpstream, streams: int) -> None:
    headers = {"Authorization": f"Bearer {ADMIN_SECRET}"}
    limits = httpx.Limits(max_connections=streams * 2)
    async with httpx.AsyncClient(
        base_url=url, headers=headers, timeout=30, limits=limits
    ) as client:
        await timed(client, "echo", 1)  # warm-up: imports, connections, the database
        results: dict[str, tuple[float, float]] = {}
        for model in ("echo", "bedrock", "openai"):
            alone, together = [], []
            for _ in range(ROUNDS):
                script_upstreams(bedrock, openai, 1 + streams)
                alone.append(await timed(client, model, 1))
                together.append(await timed(client, model, streams))
            results[model] = (statistics.median(alone), statistics.median(together))
    base_alone, base_together = results["echo"]
    print(f"{streams} concurrent streams of {WORDS} words, {WORD_DELAY * 1000:.0f} ms apart")
    print(f"{'provider':<10}{'one alone':>12}{'together':>12}{'together/alone':>16}{'vs echo':>10}")
    for model, (one, many) in results.items():
        print(
            f"{model:<10}{one:>11.3f}s{many:>11.3f}s{many / one:>16.2f}"
            f"{many / base_together:>10.2f}"
        )
    print(
        f"(echo baseline: one alone {base_alone:.3f}s; a fully serial server would be ~{streams}x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--streams", type=int, default=16, choices=range(2, 65), metavar="2..64")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        FakeBedrock() as bedrock,
        FakeOpenAIUpstream() as openai,
    ):
        env = {
            "PRIVATELLM_PROVIDERS__ECHO__DELAY_SECONDS": str(WORD_DELAY),
            "PRIVATELLM_PROVIDERS__BEDROCK__TYPE": "bedrock",
            "PRIVATELLM_PROVIDERS__BEDROCK__ENDPOINT_URL": bedrock.url,
            "PRIVATELLM_PROVIDERS__UPSTREAM__TYPE": "openai",
            "PRIVATELLM_PROVIDERS__UPSTREAM__BASE_URL": openai.base_url,
            "PRIVATELLM_MODELS": json.dumps(MODELS),
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true",
        }
        with LiveServer(Path(tmp), env) as server:
            asyncio.run(measure(server.url, bedrock, openai, args.streams))


if __name__ == "__main__":
    main()
