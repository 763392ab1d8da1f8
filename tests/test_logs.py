"""Logging: one line per event, plain or JSON, nothing about users, errors counted by kind."""

from __future__ import annotations

import json
import logging
import sys

import pytest

from bot.logs import (
    ErrorCounter,
    JsonFormatter,
    PlainFormatter,
    ThirdPartyDebugFilter,
    safe_message,
)

UPDATE = {"message": {"chat": {"id": 731955204}, "text": "my boss took my passport"}}


def record(
    name: str, level: int, msg: str, *args: object, error: BaseException | None = None
) -> logging.LogRecord:
    exc_info = (type(error), error, error.__traceback__) if error is not None else None
    return logging.LogRecord(name, level, __file__, 1, msg, args, exc_info)


def raised() -> BaseException:
    try:
        raise ValueError("secret detail: my boss took my passport")
    except ValueError as exc:
        return exc


def test_other_libraries_values_are_replaced_by_their_type() -> None:
    # What python-telegram-bot logs for an update it cannot parse (webhook mode).
    line = safe_message(
        record(
            "telegram.ext.Updater",
            logging.CRITICAL,
            "Received data was *not* processed! Received data was: %r",
            UPDATE,
        )
    )
    assert line == "Received data was *not* processed! Received data was: <dict>"
    assert safe_message(record("telegram.ext", logging.INFO, "retry after %f s", 1.5)) == (
        "retry after 1.500000 s"
    )


def test_our_own_messages_are_kept() -> None:
    own = record("bot.telegram.app", logging.INFO, "%d expired session(s) purged", 3)
    assert safe_message(own) == "3 expired session(s) purged"


def test_other_libraries_debug_lines_are_dropped() -> None:
    keep = ThirdPartyDebugFilter().filter
    assert not keep(record("telegram.ext.ExtBot", logging.DEBUG, "Calling %s", UPDATE))
    assert keep(record("telegram.ext.Application", logging.INFO, "Application started"))
    assert keep(record("bot.storage.db", logging.DEBUG, "database busy"))


@pytest.mark.parametrize("formatter", [PlainFormatter(), JsonFormatter()])
def test_an_error_is_one_line_naming_the_exception_never_its_traceback(
    formatter: logging.Formatter,
) -> None:
    error_record = record("bot.telegram.handlers", logging.ERROR, "a\nb", error=raised())
    # Another handler (pytest's, or a second stream) may have formatted it first.
    error_record.exc_text = logging.Formatter().formatException(error_record.exc_info)  # type: ignore[arg-type]
    line = formatter.format(error_record)
    assert "\n" not in line
    assert "ValueError" in line
    assert "passport" not in line and "Traceback" not in line
    if isinstance(formatter, JsonFormatter):
        assert json.loads(line)["error"] == "ValueError"
    else:
        assert line.endswith("a b (ValueError)")


def test_errors_are_counted_by_kind() -> None:
    counter = ErrorCounter()
    logger = logging.getLogger("bot.test_logs")
    logger.addHandler(counter)
    try:
        logger.error("failed", exc_info=raised())
        logger.error("failed again", exc_info=raised())
        logger.error("the database went away")
        logger.warning("not an error")
    finally:
        logger.removeHandler(counter)
    counts = counter.take()
    assert counts == {"ValueError": 2, "test_logs": 1}
    assert counter.take() == {}
    counter.give_back(counts)
    assert counter.take() == counts


def test_setup_logging_writes_plain_lines_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.logs import setup_logging

    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        setup_logging("DEBUG", "plain")
        handler = root.handlers[0]
        assert isinstance(handler, logging.StreamHandler) and handler.stream is sys.stderr
        logging.getLogger("telegram.ext.ExtBot").debug("Calling with %s", UPDATE)
        logging.getLogger("bot.x").info("hello")
        err = capsys.readouterr().err
        assert "Calling" not in err and "731955204" not in err
        assert "INFO bot.x: hello" in err
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
