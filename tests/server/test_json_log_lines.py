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


def test_line_times_are_the_records_own_to_the_millisecond() -> None:
    from datetime import UTC, datetime

    from server.request_log import TextFormatter

    json_lines, text_lines = JsonFormatter(), TextFormatter()
    # Within one second, across a second and across a day: each line its own time.
    for created in (1_800_000_000.123, 1_800_000_000.987, 1_800_000_001.004, 1_800_086_400.5):
        record = _record("request", {})
        record.created, record.msecs = created, int((created - int(created)) * 1000) + 0.0
        expected = datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")
        assert json.loads(json_lines.format(record))["time"] == expected
        assert text_lines.formatTime(record) == logging.Formatter().formatTime(record)
