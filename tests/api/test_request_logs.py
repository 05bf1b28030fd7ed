"""The logs of a full flow: one JSON line per request, one per server-side error, no secrets.

The flow has every kind of request (JSON, stream, the OpenAI door, refused,
a failed upstream, a scrape) and a database error in the middle of a turn: a
trigger refuses the write that settles one answer, which is where SQLAlchemy
used to log its `[parameters: ...]` with the answer's text and key hashes.
Every line logged is then searched for each secret and each message text.
"""

import hashlib
import hmac
import json
import secrets
import sqlite3
from pathlib import Path

import httpx
import pytest

from server.config import load_settings
from tests.api.resource_client import assert_error, sse_events
from tests.conftest import ADMIN_SECRET, LiveServer

PEPPER = "pepper-" + secrets.token_hex(8)
SCRAPE_TOKEN = "scrape-" + secrets.token_hex(8)
WRONG_KEY = "pllm_not-a-key-" + secrets.token_hex(8)


def words(label: str) -> str:
    """A message text no log line could contain by chance."""
    return f"{label}-{secrets.token_hex(6)}"


def key_hash(secret: str) -> str:
    return hmac.new(PEPPER.encode(), secret.encode(), hashlib.sha256).hexdigest()


def refuse_settling(database: Path, marker: str) -> None:
    """A database error: the UPDATE that settles an answer containing `marker` is refused."""
    with sqlite3.connect(database) as connection:
        connection.execute(
            "CREATE TRIGGER refuse_settle BEFORE UPDATE ON messages "
            f"WHEN NEW.content LIKE '%{marker}%' "
            "BEGIN SELECT RAISE(ABORT, 'settle refused by a test trigger'); END"
        )


def test_a_full_flow_logs_every_request_and_no_secret(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    workdir = tmp_path_factory.mktemp("logs")
    env = {
        "PRIVATELLM_LOG_FORMAT": "json",
        "PRIVATELLM_LOG_LEVEL": "info",
        "PRIVATELLM_API_KEY_PEPPER": PEPPER,
        "PRIVATELLM_METRICS_TOKEN": SCRAPE_TOKEN,
    }
    texts = {name: words(name) for name in ("title", "system", "send", "stream", "fail", "door")}
    texts["db"] = words("db")
    request_ids: dict[str, str] = {}
    with LiveServer(workdir, env) as server:
        admin = httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {ADMIN_SECRET}"}, timeout=15
        )
        created = admin.post("/v1/apiKeys", json={"user": "dana"})
        user_secret = created.json()["secret"]
        user = httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {user_secret}"}, timeout=15
        )
        conversation = user.post(
            "/v1/conversations", json={"title": texts["title"], "systemPrompt": texts["system"]}
        ).json()["id"]
        messages = f"/v1/conversations/{conversation}/messages"
        sent = user.post(messages, json={"content": texts["send"]})
        assert sent.status_code == 200
        request_ids["json"] = sent.headers["x-request-id"]
        with user.stream("POST", messages + ":stream", json={"content": texts["stream"]}) as s:
            assert list(sse_events(s.iter_lines()))[-1][0] == "assistantMessage"
            request_ids["stream"] = s.headers["x-request-id"]
        failed = user.post(messages, json={"content": f"[echo:fail=14] {texts['fail']}"})
        assert_error(failed, 14)
        request_ids["failed upstream"] = failed.headers["x-request-id"]
        refused = httpx.get(
            server.url + "/v1/conversations", headers={"Authorization": f"Bearer {WRONG_KEY}"}
        )
        assert_error(refused, 16)
        request_ids["refused"] = refused.headers["x-request-id"]
        door = user.post(
            "/openai/v1/chat/completions",
            json={"model": "echo", "messages": [{"role": "user", "content": texts["door"]}]},
        )
        assert door.status_code == 200
        refuse_settling(workdir / "test.db", texts["db"])
        broken = user.post(messages, json={"content": texts["db"]})
        assert_error(broken, 2)
        request_ids["database error"] = broken.headers["x-request-id"]
        scraped = httpx.get(
            server.url + "/metrics", headers={"Authorization": f"Bearer {SCRAPE_TOKEN}"}
        )
        assert scraped.status_code == 200
        admin.close()
        user.close()
    lines = server.log_path.read_text().splitlines()
    assert lines
    entries = [json.loads(line) for line in lines]  # every line is one JSON object

    forbidden = {
        "admin secret": ADMIN_SECRET,
        "user secret": user_secret,
        "wrong key": WRONG_KEY,
        "pepper": PEPPER,
        "scrape token": SCRAPE_TOKEN,
        "admin key hash": key_hash(ADMIN_SECRET),
        "user key hash": key_hash(user_secret),
        **{f"text {name}": text for name, text in texts.items()},
    }
    for line in lines:
        for what, secret in forbidden.items():
            assert secret not in line, f"{what} logged: {line[:300]}"

    access = {e["request_id"]: e for e in entries if e["logger"] == "privatellm.access"}
    for kind, request_id in request_ids.items():
        assert request_id in access, f"no line for the {kind} request"
    assert access[request_ids["json"]]["operation"] == "MessageService_SendMessage"
    assert access[request_ids["json"]]["path"] == "/v1/conversations/{conversation}/messages"
    assert access[request_ids["json"]]["user"] == "dana"
    assert access[request_ids["json"]]["model"] == "echo"
    assert access[request_ids["json"]]["tokens_out"] > 0
    assert access[request_ids["stream"]]["code"] == 0
    assert access[request_ids["refused"]]["status"] == 401
    assert access[request_ids["failed upstream"]]["code"] == 14
    # Each server-side failure has an error line with its request id; the database
    # error's traceback is there, with the statement but not its parameters.
    errors = [e for e in entries if e["level"] == "error"]
    failed_lines = [e for e in errors if e.get("request_id") == request_ids["failed upstream"]]
    assert failed_lines and failed_lines[0]["code"] == 14
    database = [e for e in errors if request_ids["database error"] in json.dumps(e)]
    tracebacks = [e["exc"] for e in database if "exc" in e]
    assert tracebacks and "settle refused by a test trigger" in tracebacks[0]
    assert "UPDATE messages" in tracebacks[0] and "parameters hidden" in tracebacks[0]


def test_text_is_the_default_and_prod_logs_json() -> None:
    assert load_settings("local", {}).log_format == "text"
    prod = load_settings("prod", {"PRIVATELLM_API_KEY_PEPPER": "x"})
    assert prod.log_format == "json"
    assert load_settings("local", {"PRIVATELLM_LOG_FORMAT": "json"}).log_format == "json"
