"""The pseudonymisation key, and the keyed hash that stands in for a chat id.

Sessions are stored under ``HMAC-SHA256(secret, chat id)``: without the secret, a stolen
database cannot be matched to a Telegram chat, not even by hashing every possible id. The
secret is ``PATHWAYS_SECRET`` or, when that is not set, ``<DATA_DIR>/secret.key``, created on
the first run. Both are used the same way (the text, stripped, as UTF-8), so the file's
contents can be moved into ``PATHWAYS_SECRET`` without losing a session.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import os
import secrets
import stat

from bot.config import Settings
from bot.storage.errors import StorageError

logger = logging.getLogger(__name__)

#: Shortest secret accepted from the file (as text); PATHWAYS_SECRET has the same rule.
MIN_SECRET_LENGTH = 32


def load_or_create_secret(settings: Settings) -> bytes:
    """The pseudonymisation key: ``settings.secret``, else the secret file's contents.

    The file is created (32 random bytes as hex, mode 0600, in a data directory created with
    mode 0700) only on a true first run: when neither it nor the database exists. A missing
    file next to an existing database, or a file that cannot be read or is too short, raises
    :class:`StorageError`: a silently new secret would orphan every stored session.
    """
    if settings.secret:
        configured = settings.secret.strip()
        if len(configured) < MIN_SECRET_LENGTH:
            # Settings.from_env refuses it too; this guards settings built any other way.
            raise StorageError(
                f"PATHWAYS_SECRET is too short (expected at least {MIN_SECRET_LENGTH} "
                "characters of random text)"
            )
        return configured.encode("utf-8")
    path = settings.secret_path
    database = settings.database_path
    if not path.exists():
        if any(database.with_name(database.name + s).exists() for s in ("", "-wal")):
            raise StorageError(
                f"the secret file {path} is missing but the database {database} exists: "
                "restore the file (or set PATHWAYS_SECRET to its contents); to start afresh "
                "instead, delete the database too (every stored conversation is lost)"
            )
        _create_secret(settings)
    try:
        text = path.read_text(encoding="utf-8").strip()
        mode = stat.S_IMODE(path.stat().st_mode)
    except (OSError, UnicodeDecodeError) as exc:
        raise StorageError(
            f"cannot read the secret file {path} ({exc}); fix its permissions or set "
            "PATHWAYS_SECRET to its contents"
        ) from exc
    if len(text) < MIN_SECRET_LENGTH:
        raise StorageError(
            f"the secret file {path} is too short (expected at least {MIN_SECRET_LENGTH} "
            "characters); restore it from a backup"
        )
    if mode & 0o077:
        logger.warning("the secret file %s is readable by others: run chmod 600 on it", path)
    return text.encode("utf-8")


def _create_secret(settings: Settings) -> None:
    directory = settings.data_dir
    try:
        if not directory.exists():
            directory.mkdir(mode=0o700, parents=True)
        # O_EXCL: if two processes start at once, only one writes, the other reads it.
        fd = os.open(settings.secret_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    except OSError as exc:
        raise StorageError(
            f"cannot create the secret file {settings.secret_path} ({exc.strerror}); "
            "check that DATA_DIR is writable, or set PATHWAYS_SECRET"
        ) from exc
    try:
        os.fchmod(fd, 0o600)  # exactly 0600, whatever the umask
        os.write(fd, (secrets.token_hex(32) + "\n").encode("ascii"))
        os.fsync(fd)
    except OSError as exc:
        os.close(fd)
        # A half-written secret must not become the key: remove it and say so.
        with contextlib.suppress(OSError):
            settings.secret_path.unlink()
        raise StorageError(
            f"cannot write the secret file {settings.secret_path} ({exc.strerror})"
        ) from exc
    os.close(fd)
    logger.info("created a new pseudonymisation key in %s", settings.secret_path)


#: Keys remembered (for the most recently keyed chats): an update asks twice, to load and
#: to save, and OpenSSL's HMAC costs more than the SQLite read the session cache saves.
REMEMBERED_KEYS = 10_000


class ChatKeyer:
    """Turns a chat id into the keyed hash that sessions are stored under.

    Recent answers are kept in memory (never on disk), like the per-chat locks and flood
    counters that also know chat ids while the bot runs.
    """

    __slots__ = ("_known", "_secret")

    def __init__(self, secret: bytes) -> None:
        """Key with ``secret`` (non-empty; from :func:`load_or_create_secret`)."""
        if not secret:
            raise ValueError("the secret must not be empty")
        self._secret = secret
        self._known: dict[int, str] = {}

    def key(self, chat_id: int) -> str:
        """HMAC-SHA256 of the chat id, as 64 hex digits."""
        known = self._known.get(chat_id)
        if known is not None:
            return known
        # The "chat:" prefix separates this use of the secret from any later one.
        message = f"chat:{chat_id}".encode("ascii")
        key = hmac.digest(self._secret, message, hashlib.sha256).hex()
        if len(self._known) >= REMEMBERED_KEYS:
            del self._known[next(iter(self._known))]  # the oldest first
        self._known[chat_id] = key
        return key

    def __repr__(self) -> str:
        """Never shows the secret."""
        return "ChatKeyer(<secret>)"
