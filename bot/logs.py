"""Logging: one line per event, plain or JSON, and never anything about users.

Our own log lines carry no user text and no ids. Other libraries' lines may (python-telegram-
bot logs whole updates at DEBUG, and the raw data of an update it cannot parse at CRITICAL),
so their DEBUG lines are dropped and the values in their messages are replaced by the values'
type names: ``Received data was <dict>``. The ``httpx`` logger is kept at WARNING because
its INFO lines contain request URLs, and Bot API URLs contain the bot token. Tracebacks are
never printed (their frames may hold user data): an exception is named, on the same line.

:class:`ErrorCounter` counts the process's errors by kind (the exception's type, or the
logger when there is none) in memory, for the bot to add to its anonymous counters.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections import Counter

QUIET_LOGGERS = ("httpx", "httpcore", "apscheduler", "telegram.ext.Updater")
#: Loggers whose messages we write ourselves and keep as they are.
OWN_LOGGER = "bot"
#: Values kept in other libraries' messages: numbers say how long or how many, never who.
_SAFE_ARGS = (int, float)


def is_own(record: logging.LogRecord) -> bool:
    """Whether the record comes from the bot's own code (``bot`` or ``bot.*``)."""
    return record.name == OWN_LOGGER or record.name.startswith(OWN_LOGGER + ".")


def safe_message(record: logging.LogRecord) -> str:
    """The record's message on one line, with other libraries' values replaced by type names."""
    if is_own(record) or not record.args:
        message = record.getMessage()
    else:
        args = record.args if isinstance(record.args, tuple) else (record.args,)
        shown = tuple(
            a if isinstance(a, _SAFE_ARGS) and not isinstance(a, bool) else _Redacted(a)
            for a in args
        )
        try:
            message = str(record.msg) % shown
        except (TypeError, ValueError):
            message = str(record.msg)
    return " ".join(message.splitlines())


class _Redacted:
    """Stands in for a value: shows only its type, with ``%s`` and ``%r`` alike."""

    __slots__ = ("_shown",)

    def __init__(self, value: object) -> None:
        self._shown = f"<{type(value).__name__}>"

    def __str__(self) -> str:
        return self._shown

    __repr__ = __str__


def error_name(record: logging.LogRecord) -> str:
    """The name of the record's exception type, or ``""``."""
    if record.exc_info and record.exc_info[0] is not None:
        return record.exc_info[0].__name__
    return ""


class ThirdPartyDebugFilter(logging.Filter):
    """Drops other libraries' DEBUG lines: they dump requests, parameters and updates."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep our own records, and other records from INFO up."""
        return is_own(record) or record.levelno >= logging.INFO


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message (and the exception type)."""

    def format(self, record: logging.LogRecord) -> str:
        """Format a record as a single JSON line."""
        data = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": safe_message(record),
        }
        if error_name(record):
            data["error"] = error_name(record)
        return json.dumps(data, ensure_ascii=False)


class PlainFormatter(logging.Formatter):
    """``time LEVEL logger: message (ErrorType)``, always one line, never a traceback."""

    def __init__(self) -> None:
        """The bot's plain line format."""
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        """Format without the traceback (``record.exc_text`` may hold one: never used)."""
        record.message = safe_message(record)
        record.asctime = self.formatTime(record, self.datefmt)
        line = self.formatMessage(record)
        name = error_name(record)
        return f"{line} ({name})" if name else line


class ErrorCounter(logging.Handler):
    """Counts ERROR (and worse) records by kind, in memory: no message, no argument.

    The kind is the exception's type (``NetworkError``, ``TimedOut``) or, for an error
    logged without one, the logger's name after ``bot.`` (``storage.db``).
    """

    def __init__(self) -> None:
        """An empty counter that handles records from ERROR up."""
        super().__init__(logging.ERROR)
        self._counts: Counter[str] = Counter()
        self._counts_lock = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        """Count the record's kind."""
        kind = error_name(record) or record.name.removeprefix(OWN_LOGGER + ".")
        with self._counts_lock:
            self._counts[kind[:64]] += 1

    def take(self) -> Counter[str]:
        """The counts since the last call, which starts counting afresh."""
        with self._counts_lock:
            counts, self._counts = self._counts, Counter()
        return counts

    def give_back(self, counts: Counter[str]) -> None:
        """Put counts that could not be saved back, to be saved with the next ones."""
        with self._counts_lock:
            self._counts.update(counts)


def setup_logging(level: str = "INFO", fmt: str = "plain") -> None:
    """Configure the root logger for the bot process."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else PlainFormatter())
    handler.addFilter(ThirdPartyDebugFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
