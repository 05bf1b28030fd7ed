"""The JSON log format writes one parseable object per record, whatever the record holds."""

import json
import logging

from server.request_log import JsonFormatter


def _record(message: str, fields: dict[str, object]) -> logging.LogRecord:
    record = logging.LogRecord("privatellm.access", logging.INFO, __file__, 1, message, (), None)
    record.fields = fields
    return record


def test_a_request_line_is_one_json_object_with_its_fields() -> None:
    line = JsonFormatter().format(_record("request", {"status": 200, "user": "dänä", "ms": 1.5}))
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "request"
    assert entry["level"] == "info"
    assert entry["logger"] == "privatellm.access"
    assert (entry["status"], entry["user"], entry["ms"]) == (200, "dänä", 1.5)


def test_values_the_fast_encoder_refuses_still_make_a_line() -> None:
    # A lone surrogate (from a client's bytes) and an integer past 64 bits, which orjson refuses.
    line = JsonFormatter().format(_record("request", {"path": "/x\ud800", "n": 2**70}))
    entry = json.loads(line)
    assert entry["path"] == "/x\ud800"
    assert entry["n"] == 2**70


def test_objects_json_has_no_type_for_are_written_as_text() -> None:
    entry = json.loads(JsonFormatter().format(_record("request", {"when": object})))
    assert entry["when"] == str(object)
