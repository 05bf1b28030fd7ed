"""The counters' Redis connection: the URL's database and password, concurrent calls on one
pipelined connection, and a Redis that goes away. Against the tests' own Redis servers."""

import asyncio
import secrets

import pytest
import redis

from store.counters.resp import RedisConnection, RedisUnreachable, ReplyError
from tests.limits.conftest import RedisProcess


async def test_the_urls_database_is_the_one_used(redis_server: RedisProcess) -> None:
    key = f"resp:{secrets.token_hex(4)}"
    connection = RedisConnection(f"redis://127.0.0.1:{redis_server.port}/3")
    try:
        assert await connection.call("SET", key, "in 3") == b"OK"
    finally:
        await connection.aclose()
    direct = redis.Redis(port=redis_server.port, db=3)
    try:
        assert direct.get(key) == b"in 3"
        assert redis.Redis(port=redis_server.port, db=0).get(key) is None
    finally:
        direct.close()


async def test_concurrent_calls_get_their_own_replies(redis_server: RedisProcess) -> None:
    connection = RedisConnection(redis_server.url)
    try:
        replies = await asyncio.gather(*(connection.call("ECHO", str(i)) for i in range(300)))
        assert replies == [str(i).encode() for i in range(300)]
        with pytest.raises(ReplyError, match="unknown command"):
            await connection.call("NOSUCHCOMMAND")
        assert await connection.call("PING") == b"PONG"  # the connection is still in step
    finally:
        await connection.aclose()


@pytest.mark.usefixtures("redis_server")  # skips (or fails) without redis-server
async def test_a_password_from_the_url_and_a_wrong_one() -> None:
    password = secrets.token_hex(8)
    server = RedisProcess(password=password)
    server.start()
    try:
        good = RedisConnection(f"redis://:{password}@127.0.0.1:{server.port}/0")
        assert await good.call("PING") == b"PONG"
        await good.aclose()
        wrong = RedisConnection(f"redis://:nope@127.0.0.1:{server.port}/0")
        with pytest.raises(RedisUnreachable, match="refused AUTH"):
            await wrong.call("PING")
        await wrong.aclose()
    finally:
        server.stop()


@pytest.mark.usefixtures("redis_server")  # skips (or fails) without redis-server
async def test_a_closed_port_and_a_redis_that_comes_back() -> None:
    server = RedisProcess()
    connection = RedisConnection(server.url, timeout=1)
    try:
        with pytest.raises(RedisUnreachable, match="cannot connect"):
            await connection.call("PING")
        server.start()
        assert await connection.call("PING") == b"PONG"
        server.stop()
        with pytest.raises(RedisUnreachable):
            await connection.call("PING")
        server.start()
        assert await connection.call("PING") == b"PONG"
    finally:
        await connection.aclose()
        server.stop()


def test_a_url_that_is_not_redis_is_refused_up_front() -> None:
    with pytest.raises(ValueError, match="redis://"):
        RedisConnection("http://127.0.0.1:6379")
    with pytest.raises(ValueError, match="database"):
        RedisConnection("redis://127.0.0.1:6379/zero")


async def test_a_redis_that_never_answers_fails_the_calls_waiting() -> None:
    """A listener that reads and says nothing: every call waiting fails, and the next call
    opens a new connection (the watchdog dropped the silent one)."""
    accepted = 0

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal accepted
        accepted += 1
        await reader.read()  # until the client closes
        writer.close()

    listener = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    connection = RedisConnection(f"redis://127.0.0.1:{port}/0", timeout=0.2)
    try:
        calls = await asyncio.gather(
            *(connection.call("PING") for _ in range(3)), return_exceptions=True
        )
        assert all(isinstance(c, RedisUnreachable) and "no answer" in str(c) for c in calls)
        with pytest.raises(RedisUnreachable, match="no answer"):
            await connection.call("PING")
        assert accepted == 2
    finally:
        await connection.aclose()
        listener.close()
        await listener.wait_closed()
