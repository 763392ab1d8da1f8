"""Storage: one SQLite connection, pseudonymous sessions with a TTL, anonymous counters.

See ``docs/PRIVACY.md`` for the rules: sessions are keyed by an HMAC of the chat id,
expire when idle, are deleted (and overwritten) at once on the quick exit, and counters are
per-day aggregates with small counts suppressed in exports.

The names below are imported on first use, so loading ``bot.storage.cli`` (which every
``python -m bot`` does, to list the ``stats`` command) does not load the database code.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.storage.db import Database
    from bot.storage.errors import StorageError
    from bot.storage.keys import ChatKeyer, load_or_create_secret
    from bot.storage.sessions import SessionStore, StoredSession
    from bot.storage.stats import Counters, StatRow, suppress

_HOMES = {
    "ChatKeyer": "bot.storage.keys",
    "Counters": "bot.storage.stats",
    "Database": "bot.storage.db",
    "SessionStore": "bot.storage.sessions",
    "StatRow": "bot.storage.stats",
    "StorageError": "bot.storage.errors",
    "StoredSession": "bot.storage.sessions",
    "load_or_create_secret": "bot.storage.keys",
    "suppress": "bot.storage.stats",
}

__all__ = [
    "ChatKeyer",
    "Counters",
    "Database",
    "SessionStore",
    "StatRow",
    "StorageError",
    "StoredSession",
    "load_or_create_secret",
    "suppress",
]


def __getattr__(name: str) -> Any:
    """Import a public name from its module the first time it is asked for."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # later look-ups skip this function
    return value
