"""The health check (``python -m bot health``): can the bot run here, how has it been doing?

It checks what ``python -m bot run`` needs, in the same order and with the same code: the
settings, the token, the content, the translations, the data directory, the pseudonymisation
key and the database (opened and migrated). Each problem is one line on stderr, with what to
do; exit status 1 if there is any. It then shows the errors the running bot counted by kind
over the last days (from the anonymous counters: the kind of error and how often, nothing
about anyone).

It is the Docker ``HEALTHCHECK``, so it must be quick and must not damage a running bot's
data: it never repairs or replaces the database (a damaged one is reported), and creates
the key and the database only where the bot itself would on its first run (where neither
exists yet, so nothing can be orphaned).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import tempfile
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config import Settings

#: How many days of error counts are shown.
ERROR_DAYS = 7
#: The counters' kind the bot records errors under (bot.telegram.app.ERROR_KIND).
ERROR_KIND = "error"
#: A busy database (the bot writing) is waited for this long, within Docker's time-out.
BUSY_TIMEOUT = 2.0
RETRY_FOR = 5.0


@dataclass
class Health:
    """What the checks found: passed checks, problems (one line each) and error counts."""

    passed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    #: Errors by kind over the last :data:`ERROR_DAYS` days; ``None`` if unknown.
    errors: Counter[str] | None = None

    @property
    def ok(self) -> bool:
        """Whether nothing stops the bot from running."""
        return not self.problems


def format_errors(errors: Counter[str]) -> str:
    """One line: the error counts by kind, most frequent first."""
    if not errors:
        return f"errors counted by the bot in the last {ERROR_DAYS} days: none"
    counts = ", ".join(f"{kind} {n}" for kind, n in sorted(errors.items(), key=_by_count))
    return f"errors counted by the bot in the last {ERROR_DAYS} days: {counts}"


def _by_count(item: tuple[str, int]) -> tuple[int, str]:
    return (-item[1], item[0])


def check(env: Mapping[str, str] | None = None) -> Health:
    """Every check, reading settings from ``env`` (default: the environment and ``.env``)."""
    from bot.config import TOKEN_HELP, ConfigError, Settings

    result = Health()
    try:
        settings = Settings.from_env(env)
    except ConfigError as exc:
        result.problems += exc.messages
        return result
    result.passed.append("settings")
    if settings.telegram_token:
        result.passed.append("TELEGRAM_BOT_TOKEN is set")
    else:
        result.problems.append(f"TELEGRAM_BOT_TOKEN is not set. {TOKEN_HELP}")
    _check_content(settings, result)
    _check_translations(settings, result)
    if _check_data_dir(settings.data_dir, result):
        asyncio.run(_check_storage(settings, result))
    return result


def _check_content(settings: Settings, result: Health) -> None:
    from bot.loading import LoadError, load_content_at

    root = settings.content_dir
    try:
        content = load_content_at(root)
    except LoadError as exc:
        result.problems += exc.messages or [f"{root}: the content cannot be loaded"]
        return
    result.passed.append(
        f"content in {root} ({len(content.flows)} flow(s), {len(content.countries)} country(ies))"
    )


def _check_translations(settings: Settings, result: Health) -> None:
    from bot.loading import LoadError, load_translations

    try:
        translator = load_translations(settings)
    except LoadError as exc:
        result.problems.append(f"translations: {exc}")
        return
    codes = ", ".join(language.code for language in translator.languages)
    result.passed.append(f"translations in {settings.locales_dir} ({codes})")


def _check_data_dir(data_dir: Path, result: Health) -> bool:
    """Whether DATA_DIR is a directory the bot can list and write in (or create)."""
    if not data_dir.exists():
        parent = _existing_parent(data_dir)
        if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
            result.problems.append(
                f"DATA_DIR={data_dir} does not exist and cannot be created in {parent} "
                "(create it, writable by the bot's user)"
            )
            return False
        # The bot creates it (mode 0700) on its first run; so does the storage check next.
        result.passed.append(f"data directory {data_dir} can be created")
        return True
    if not data_dir.is_dir():
        result.problems.append(f"DATA_DIR={data_dir} is not a directory (expected a folder)")
        return False
    try:
        next(data_dir.iterdir(), None)
        fd, probe = tempfile.mkstemp(prefix=".health-", dir=data_dir)
        os.close(fd)
        Path(probe).unlink()
    except OSError as exc:
        result.problems.append(
            f"DATA_DIR={data_dir} is not readable and writable by this user "
            f"({exc.strerror}; expected a folder owned by the bot's user, mode 0700)"
        )
        return False
    result.passed.append(f"data directory {data_dir} is writable")
    return True


def _existing_parent(path: Path) -> Path:
    for parent in path.absolute().parents:
        if parent.exists():
            return parent
    return Path("/")


async def _check_storage(settings: Settings, result: Health) -> None:
    """The key, then the database: opened, migrated, closed, as the bot starts."""
    from bot.storage.db import Database, StorageError
    from bot.storage.keys import load_or_create_secret
    from bot.storage.stats import Counters

    try:
        # First, as the bot does: it refuses (rather than replaces) a key that is missing
        # next to an existing database, so an orphaning mistake is reported, not made.
        load_or_create_secret(settings)
    except StorageError as exc:
        result.problems.append(str(exc))
        return
    result.passed.append(
        "pseudonymisation key " + ("PATHWAYS_SECRET" if settings.secret else "secret.key")
    )
    try:
        db = await Database.open(
            settings.database_path,
            busy_timeout=BUSY_TIMEOUT,
            retry_for=RETRY_FOR,
            recover=False,
        )
    except StorageError as exc:
        result.problems.append(str(exc))
        return
    try:
        since = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=ERROR_DAYS - 1)
        rows = await Counters(db).rows(since)
    except StorageError as exc:
        result.problems.append(str(exc))
        return
    finally:
        await db.close()
    result.passed.append(f"database {settings.database_path} opens and is migrated")
    errors: Counter[str] = Counter()
    for row in rows:
        if row.kind == ERROR_KIND and row.count is not None:
            errors[row.key] += row.count
    result.errors = errors
