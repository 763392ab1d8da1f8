"""The pseudonymisation key: created once, never silently replaced, and the keyed hash."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import stat
from pathlib import Path

import pytest

import bot.storage.keys as keys_module
from bot.config import ConfigError, Settings
from bot.storage.db import Database
from bot.storage.errors import StorageError
from bot.storage.keys import ChatKeyer, load_or_create_secret

CHAT = 4_200_100_777
ENV_SECRET = "Z" * 20 + "env-secret-0123456789"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


def test_the_secret_is_created_private_on_the_first_run(settings: Settings) -> None:
    old_umask = os.umask(0)  # modes must come from the code, not the umask
    try:
        secret = load_or_create_secret(settings)
    finally:
        os.umask(old_umask)
    assert re.fullmatch(rb"[0-9a-f]{64}", secret)
    assert mode(settings.secret_path) == 0o600
    assert mode(settings.data_dir) == 0o700
    # Every later start reads the same secret.
    assert load_or_create_secret(settings) == secret


def test_two_first_runs_get_different_secrets(tmp_path: Path) -> None:
    first = load_or_create_secret(Settings(data_dir=tmp_path / "a"))
    second = load_or_create_secret(Settings(data_dir=tmp_path / "b"))
    assert first != second


def test_pathways_secret_is_used_when_set(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"DATA_DIR": str(tmp_path / "data"), "PATHWAYS_SECRET": ENV_SECRET}
    )
    assert load_or_create_secret(settings) == ENV_SECRET.encode()
    assert not settings.secret_path.exists()  # nothing written to disk


def test_the_file_can_move_into_pathways_secret_without_losing_sessions(
    settings: Settings,
) -> None:
    from_file = load_or_create_secret(settings)
    text = settings.secret_path.read_text()
    from_env = load_or_create_secret(Settings(data_dir=settings.data_dir, secret=text))
    assert ChatKeyer(from_file).key(CHAT) == ChatKeyer(from_env).key(CHAT)


def test_a_short_pathways_secret_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="PATHWAYS_SECRET is too short"):
        Settings.from_env({"PATHWAYS_SECRET": "short"})
    with pytest.raises(StorageError, match="PATHWAYS_SECRET is too short"):
        load_or_create_secret(Settings(data_dir=tmp_path, secret="short"))


async def test_a_missing_secret_next_to_a_database_is_a_clear_error(settings: Settings) -> None:
    load_or_create_secret(settings)
    db = await Database.open(settings.database_path)
    await db.close()
    settings.secret_path.unlink()
    with pytest.raises(StorageError, match=r"secret file .* is missing but the database .* exists"):
        load_or_create_secret(settings)
    assert not settings.secret_path.exists()  # no new secret that would orphan every session


def test_a_secret_file_that_cannot_be_read_is_an_error(settings: Settings) -> None:
    settings.secret_path.mkdir(parents=True)  # a folder where the file should be
    with pytest.raises(StorageError, match="cannot read the secret file"):
        load_or_create_secret(settings)


def test_a_secret_file_that_is_not_text_is_an_error(settings: Settings) -> None:
    settings.data_dir.mkdir()
    settings.secret_path.write_bytes(b"\xff\xfe" * 40)
    with pytest.raises(StorageError, match="cannot read the secret file"):
        load_or_create_secret(settings)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_a_secret_file_without_read_permission_is_an_error(settings: Settings) -> None:
    load_or_create_secret(settings)
    settings.secret_path.chmod(0)
    with pytest.raises(StorageError, match="cannot read the secret file"):
        load_or_create_secret(settings)


def test_a_secret_file_that_is_too_short_is_an_error(settings: Settings) -> None:
    settings.data_dir.mkdir()
    settings.secret_path.write_text("0123456789\n")
    with pytest.raises(StorageError, match="too short"):
        load_or_create_secret(settings)


def test_a_secret_file_readable_by_others_is_reported(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    load_or_create_secret(settings)
    settings.secret_path.chmod(0o644)
    load_or_create_secret(settings)
    assert "readable by others" in caplog.text


def test_the_chat_key_is_a_keyed_hash() -> None:
    keyer = ChatKeyer(b"k" * 32)
    key = keyer.key(CHAT)
    assert re.fullmatch(r"[0-9a-f]{64}", key)
    assert keyer.key(CHAT) == key  # stable
    assert keyer.key(CHAT + 1) != key
    assert ChatKeyer(b"j" * 32).key(CHAT) != key  # depends on the secret
    assert str(CHAT) not in key
    assert "k" * 8 not in repr(keyer)


def test_an_empty_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        ChatKeyer(b"")


def test_remembered_keys_are_the_keyed_hash_and_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keys_module, "REMEMBERED_KEYS", 3)
    secret = b"k" * 32
    keyer = ChatKeyer(secret)
    chats = [CHAT + n for n in range(6)] * 2  # the second round is partly remembered
    for chat in chats:
        expected = hmac.new(secret, f"chat:{chat}".encode(), hashlib.sha256).hexdigest()
        assert keyer.key(chat) == expected
    assert len(keyer._known) == 3
