"""Log lines written in batches: one write per turn of the event loop, none lost."""

import asyncio
import logging

from server.request_log import LineBatchHandler


class Stream:
    def __init__(self) -> None:
        self.writes: list[str] = []

    def write(self, text: str) -> None:
        self.writes.append(text)

    def flush(self) -> None:
        pass


def logger_to(stream: Stream) -> tuple[logging.Logger, LineBatchHandler]:
    handler = LineBatchHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger(f"test.batches.{id(stream)}")
    logger.propagate = False
    logger.handlers = [handler]
    logger.setLevel(logging.INFO)
    return logger, handler


async def test_the_lines_of_one_loop_turn_go_out_in_one_write() -> None:
    stream = Stream()
    log, _ = logger_to(stream)
    for n in range(5):
        log.info("line %d", n)
    assert stream.writes == []  # not yet: at the end of this turn
    await asyncio.sleep(0)
    assert stream.writes == ["line 0\nline 1\nline 2\nline 3\nline 4\n"]
    log.info("next turn")
    await asyncio.sleep(0)
    assert stream.writes[-1] == "next turn\n"


def test_lines_outside_a_loop_are_written_at_once() -> None:
    stream = Stream()
    log, _ = logger_to(stream)
    log.info("no loop here")
    assert stream.writes == ["no loop here\n"]


async def test_flushing_writes_what_is_waiting() -> None:
    stream = Stream()
    log, handler = logger_to(stream)
    log.info("waiting")
    handler.flush()  # what logging.shutdown does when the process stops
    assert stream.writes == ["waiting\n"]
    await asyncio.sleep(0)
    assert stream.writes == ["waiting\n"]  # and the scheduled write finds nothing left
