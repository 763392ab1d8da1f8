"""The leak scanner finds what it must, and nothing in clean files: it is a test that can fail.

The expected bytes below are written out by hand (not produced by the scanner's own
encoder), so a scanner that forgot an encoding would fail here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import random
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from bot.engine.screens import Tally
from bot.engine.state import Session
from bot.storage.db import Database
from bot.storage.keys import ChatKeyer
from bot.storage.sessions import SessionStore
from bot.storage.stats import Counters
from tests.support.privacy import encodings, find_leaks, mask

CHAT_ID = 7_123_456_789  # needs 6 bytes: SQLite stores it as a 6-byte big-endian integer
SMALL_ID = 1_234_567_890  # fits 4 bytes
GROUP_ID = -1_001_234_567_890  # a supergroup's id is negative
NAME = "Åsa Ström"
USERNAME = "asa_strom_1987"
TEXT = "they took my passport"
SECRETS: list[str | int] = [CHAT_ID, NAME, USERNAME, TEXT]


def noise(size: int, seed: int) -> bytes:
    """Random bytes that stand in for the rest of a file (fixed seed: reproducible)."""
    return random.Random(seed).randbytes(size)


def plant(tmp_path: Path, data: bytes, name: str = "file.bin") -> Path:
    """A file with ``data`` in the middle of noise."""
    path = tmp_path / name
    path.write_bytes(noise(3000, 1) + data + noise(3000, 2))
    return path


def hits(paths: Iterable[Path], secrets: Iterable[str | int]) -> set[tuple[str, str]]:
    """(file name, encoding) of every hit."""
    found = set()
    for line in find_leaks(paths, secrets):
        file, _, rest = line.partition(": secret #")
        found.add((Path(file).name, rest.split(" found as ")[1].split(" at byte ")[0]))
    return found


@contextlib.contextmanager
def sqlite(path: Path, *pragmas: str) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for pragma in pragmas:
            conn.execute(pragma)
        yield conn
    finally:
        conn.close()


# -- every encoding --------------------------------------------------------------------------

INT_FORMS = [
    (CHAT_ID, "decimal", b"7123456789"),
    (CHAT_ID, "decimal-utf-16-le", b"7\x001\x002\x003\x004\x005\x006\x007\x008\x009\x00"),
    (CHAT_ID, "decimal-utf-16-be", b"\x007\x001\x002\x003\x004\x005\x006\x007\x008\x009"),
    (CHAT_ID, "hex-lower", b"1a8975315"),
    (CHAT_ID, "hex-upper", b"1A8975315"),
    (CHAT_ID, "hex-0x", b"0X1A8975315"),
    (CHAT_ID, "int64-le", b"\x15\x53\x97\xa8\x01\x00\x00\x00"),
    (CHAT_ID, "int64-be", b"\x00\x00\x00\x01\xa8\x97\x53\x15"),
    (CHAT_ID, "sqlite-int-6", b"\x00\x01\xa8\x97\x53\x15"),
    (SMALL_ID, "int32-le", b"\xd2\x02\x96\x49"),
    (SMALL_ID, "int32-be", b"\x49\x96\x02\xd2"),
    (SMALL_ID, "sqlite-int-3", None),  # too big for 3 bytes: no such form
    (123_456, "sqlite-int-3", b"\x01\xe2\x40"),
    (3_000_000_000, "uint32-le", b"\x00\x5e\xd0\xb2"),
    (3_000_000_000, "uint32-be", b"\xb2\xd0\x5e\x00"),
    (GROUP_ID, "decimal", b"-1001234567890"),
    (GROUP_ID, "decimal", b"1001234567890"),  # written without its sign
    (GROUP_ID, "hex-twos-complement", b"ffffff16e1c4ed2e"),
    (GROUP_ID, "int64-le", b"\x2e\xed\xc4\xe1\x16\xff\xff\xff"),
    (GROUP_ID, "sqlite-int-6", b"\xff\x16\xe1\xc4\xed\x2e"),
]

TEXT_FORMS = [
    (NAME, "utf-8", "Åsa Ström".encode()),
    (NAME, "utf-8", b"\xc3\x85SA STR\xc3\xb6M"),  # ASCII letters in another case
    (NAME, "utf-16-le", b"\xc5\x00s\x00a\x00 \x00S\x00t\x00r\x00\xf6\x00m\x00"),
    (NAME, "utf-16-be", b"\x00\xc5\x00s\x00a\x00 \x00S\x00t\x00r\x00\xf6\x00m"),
    (NAME, "utf-8-lower", b"\xc3\xa5sa str\xc3\xb6m"),
    (NAME, "utf-8-upper", b"\xc3\x85SA STR\xc3\x96M"),
    (NAME, "utf-16-le-lower", b"\xe5\x00s\x00a\x00 \x00s\x00t\x00r\x00\xf6\x00m\x00"),
    (NAME, "json-escaped", b"\\u00c5sa Str\\u00f6m"),
    (NAME, "json-escaped", b"\\u00C5sa Str\\u00F6m"),
    (NAME, "url-encoded", b"%C3%85sa%20Str%C3%B6m"),
    (NAME, "url-encoded", b"%c3%85sa%20str%c3%b6m"),
    (NAME, "url-encoded-plus", b"%C3%85sa+Str%C3%B6m"),
    (USERNAME, "utf-8", b"Asa_Strom_1987"),
    (
        USERNAME,
        "utf-16-be",
        b"\x00a\x00s\x00a\x00_\x00s\x00t\x00r\x00o\x00m\x00_\x001\x009\x008\x007",
    ),
    (TEXT, "url-encoded", b"they%20took%20my%20passport"),
    (TEXT, "url-encoded-plus", b"they+took+my+passport"),
]


@pytest.mark.parametrize(
    ("secret", "name", "data"), INT_FORMS + TEXT_FORMS, ids=lambda v: str(v)[:20]
)
def test_each_encoding_is_found(
    tmp_path: Path, secret: str | int, name: str, data: bytes | None
) -> None:
    if data is None:
        assert name not in {e.name for e in encodings(secret)}
        return
    clean = plant(tmp_path, b"", "clean.bin")
    assert find_leaks([clean], [secret]) == []
    assert (  # the name of the form this test planted is among the hits
        ("file.bin", name) in hits([plant(tmp_path, data)], [secret])
    )


def test_the_scanner_looks_for_every_encoding_asked_for() -> None:
    int_forms = {e.name for e in encodings(CHAT_ID)} | {e.name for e in encodings(SMALL_ID)}
    assert {
        "decimal",
        "hex-lower",
        "hex-upper",
        "hex-0x",
        "int32-le",
        "int32-be",
        "int64-le",
        "int64-be",
        "sqlite-int-6",
    } <= int_forms
    # SQLite's 4- and 8-byte forms are the same bytes as int32-be and int64-be.
    for number, width in [(123_456, 3), (SMALL_ID, 4), (CHAT_ID, 6), (CHAT_ID, 8)]:
        form = number.to_bytes(width, "big", signed=True)
        assert form in {e.data for e in encodings(number)}
    text_forms = {e.name for e in encodings(NAME)}
    assert {
        "utf-8",
        "utf-16-le",
        "utf-16-be",
        "utf-8-lower",
        "json-escaped",
        "url-encoded",
    } <= text_forms


# -- where secrets hide ----------------------------------------------------------------------


def test_a_secret_in_a_sqlite_row_is_found(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    with sqlite(path) as conn:
        conn.execute("CREATE TABLE t (n INTEGER, s TEXT)")
        conn.execute("INSERT INTO t VALUES (?, ?)", (CHAT_ID, NAME))
    found = hits([path], SECRETS)
    assert ("db.sqlite3", "sqlite-int-6") in found  # SQLite's own integer encoding
    assert ("db.sqlite3", "utf-8") in found


def test_a_secret_in_a_utf16_database_is_found(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    with sqlite(path, "PRAGMA encoding = 'UTF-16le'") as conn:
        conn.execute("CREATE TABLE t (s TEXT)")
        conn.execute("INSERT INTO t VALUES (?)", (USERNAME,))
    assert hits([path], [USERNAME]) == {("db.sqlite3", "utf-16-le")}


@pytest.mark.parametrize("size", [40, 20_000], ids=["in-page", "free-list-pages"])
def test_a_deleted_row_is_found_without_secure_delete(tmp_path: Path, size: int) -> None:
    # A small row leaves a free block in its page; a large one frees whole overflow pages.
    path = tmp_path / "db.sqlite3"
    with sqlite(path, "PRAGMA secure_delete = OFF", "PRAGMA auto_vacuum = NONE") as conn:
        conn.execute("CREATE TABLE t (s TEXT)")
        conn.execute("INSERT INTO t VALUES ('keep this row')")
        conn.execute("INSERT INTO t VALUES (?)", (TEXT + "." * size,))
        conn.execute("DELETE FROM t WHERE s LIKE 'they%'")
        assert conn.execute("SELECT count(*) FROM t WHERE s LIKE 'they%'").fetchone() == (0,)
        if size > 4096:
            assert conn.execute("PRAGMA freelist_count").fetchone()[0] > 0
    assert ("db.sqlite3", "utf-8") in hits([path], [TEXT])


@pytest.mark.parametrize("size", [40, 20_000], ids=["in-page", "free-list-pages"])
def test_secure_delete_leaves_nothing_to_find(tmp_path: Path, size: int) -> None:
    # The same as above with secure_delete on: the scan must come back clean.
    path = tmp_path / "db.sqlite3"
    with sqlite(path, "PRAGMA secure_delete = ON") as conn:
        conn.execute("CREATE TABLE t (s TEXT)")
        conn.execute("INSERT INTO t VALUES ('keep this row')")
        conn.execute("INSERT INTO t VALUES (?)", (TEXT + "." * size,))
        conn.execute("DELETE FROM t WHERE s LIKE 'they%'")
    assert find_leaks([path], [TEXT]) == []


def test_a_secret_only_in_the_wal_is_found(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    with sqlite(path, "PRAGMA journal_mode = WAL", "PRAGMA wal_autocheckpoint = 0") as conn:
        conn.execute("CREATE TABLE t (n INTEGER)")
        conn.execute("INSERT INTO t VALUES (?)", (CHAT_ID,))
        # Scanned while open: the row is in the -wal file only, and the scan finds it there.
        found = hits([path], [CHAT_ID])
        assert found and {file for file, _ in found} == {"db.sqlite3-wal"}


def test_a_secret_in_a_rollback_journal_is_found(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    with sqlite(path, "PRAGMA journal_mode = PERSIST") as conn:
        conn.execute("CREATE TABLE t (s TEXT)")
        conn.execute("INSERT INTO t VALUES (?)", (NAME,))
        conn.execute("UPDATE t SET s = 'someone else'")  # the old page goes to the journal
    assert ("db.sqlite3-journal", "utf-8") in hits([path], [NAME])


def test_a_secret_in_a_log_file_is_found(tmp_path: Path) -> None:
    path = tmp_path / "bot.log"
    logger = logging.getLogger("tests.privacy_scanner")
    handler = logging.FileHandler(path, encoding="utf-8")
    logger.addHandler(handler)
    try:
        logger.warning("update from chat %d", CHAT_ID)
        logger.warning("%s", json.dumps({"first_name": NAME}))  # escaped as \u00c5
    finally:
        logger.removeHandler(handler)
        handler.close()
    assert hits([path], SECRETS) == {("bot.log", "decimal"), ("bot.log", "json-escaped")}


def test_a_clean_file_has_no_leaks(tmp_path: Path) -> None:
    path = plant(tmp_path, b"an ordinary log line without anything personal\n")
    assert find_leaks([path], SECRETS) == []


# -- the report ------------------------------------------------------------------------------


def test_a_hit_names_file_secret_and_encoding_but_never_the_secret(tmp_path: Path) -> None:
    path = plant(tmp_path, f"{CHAT_ID} {NAME} {USERNAME} {TEXT}".encode())
    leaks = find_leaks([path], SECRETS)
    assert len(leaks) == 4
    assert leaks[0] == f"{path}: secret #0 '71…9' (10 chars) found as decimal at byte 3000"
    report = "\n".join(leaks)
    for secret in SECRETS:
        for form in encodings(secret):
            assert form.data.decode("latin-1") not in report
    assert mask(NAME) == "'Ås…m' (9 chars)"


def test_scanning_nothing_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no such file"):
        find_leaks([tmp_path / "missing.sqlite3"], SECRETS)
    with pytest.raises(ValueError, match="no secrets"):
        find_leaks([plant(tmp_path, b"")], [])
    with pytest.raises(ValueError, match="too small"):
        encodings(42)
    with pytest.raises(ValueError, match="too short"):
        encodings("ab")


# -- mutation: a real database that stores the raw chat id -----------------------------------

SESSION = Session("en", view="start", facts={"country": "AT"})
T0 = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


async def conversation(path: Path, store_class: type[SessionStore] = SessionStore) -> None:
    """What the bot stores for one chat: a session with message ids, and counts."""
    db = await Database.open(path)
    try:
        store = store_class(db, ChatKeyer(b"p" * 40), dt.timedelta(hours=24), clock=lambda: T0)
        await store.save(CHAT_ID, SESSION, [101, 102])
        await store.save(CHAT_ID, SESSION.with_view("country"), [103])
        await Counters(db, clock=lambda: T0).add([Tally("start", "poster1")])
        assert await store.load(CHAT_ID) is not None
    finally:
        await db.close()


async def test_the_real_database_holds_no_chat_id(tmp_path: Path) -> None:
    path = tmp_path / "pathways.sqlite3"
    await conversation(path)
    assert find_leaks([path], [CHAT_ID]) == []


async def test_a_keyer_that_stores_the_raw_chat_id_is_caught(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ChatKeyer, "key", lambda self, chat_id: str(chat_id))
    path = tmp_path / "pathways.sqlite3"
    await conversation(path)
    assert ("pathways.sqlite3", "decimal") in hits([path], [CHAT_ID])


class ChatIdAsMessageId(SessionStore):
    """A plausible bug: the chat id passed where a message id belongs."""

    async def save(
        self, chat_id: int, session: Session, new_message_ids: Iterable[int] = ()
    ) -> None:
        await super().save(chat_id, session, [*new_message_ids, chat_id])


async def test_a_store_that_keeps_the_chat_id_in_the_row_is_caught(tmp_path: Path) -> None:
    path = tmp_path / "pathways.sqlite3"
    await conversation(path, ChatIdAsMessageId)
    assert ("pathways.sqlite3", "decimal") in hits([path], [CHAT_ID])


class ChatIdAsTime(SessionStore):
    """Another: the chat id written into an integer column, in SQLite's binary form."""

    async def save(
        self, chat_id: int, session: Session, new_message_ids: Iterable[int] = ()
    ) -> None:
        await super().save(chat_id, session, new_message_ids)
        await self._db.execute("UPDATE sessions SET touched = ?", (chat_id,))


async def test_a_chat_id_in_an_integer_column_is_caught(tmp_path: Path) -> None:
    path = tmp_path / "pathways.sqlite3"
    await conversation(path, ChatIdAsTime)
    assert ("pathways.sqlite3", "sqlite-int-6") in hits([path], [CHAT_ID])
