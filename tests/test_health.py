"""``python -m bot health``: exit 0 on a good setup, one clear line per problem otherwise."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.engine.screens import Tally
from bot.health import check, format_errors
from bot.storage.db import Database
from bot.storage.stats import Counters
from tests.conftest import ENGINE_FIXTURES, ROOT
from tests.support.fake_telegram import TOKEN


def good_env(tmp_path: Path) -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "DATA_DIR": str(tmp_path / "data"),
        "CONTENT_DIR": str(ENGINE_FIXTURES),
        # Fixture content and one language stay put while the real ones grow.
        "LANGUAGES": "en",
    }


def run_health(
    env: dict[str, str], prefix: list[str] | None = None
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "DATA_DIR")}
    return subprocess.run(
        [*(prefix or []), sys.executable, "-m", "bot", "health"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_good_setup_exits_0_and_says_what_was_checked(tmp_path: Path) -> None:
    result = run_health(good_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = result.stdout
    for expected in ["TELEGRAM_BOT_TOKEN is set", "content in", "translations", "database"]:
        assert expected in out, out
    assert "errors counted by the bot in the last 7 days: none" in out
    # What the bot's first run would have made, made consistently: key and database.
    assert (tmp_path / "data" / "secret.key").is_file()
    assert (tmp_path / "data" / "pathways.sqlite3").is_file()


def test_no_token_is_one_clear_line_and_exit_1(tmp_path: Path) -> None:
    env = good_env(tmp_path)
    del env["TELEGRAM_BOT_TOKEN"]
    result = run_health(env)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("health: TELEGRAM_BOT_TOKEN is not set")
    assert "@BotFather" in lines[0]


def test_invalid_settings_are_reported_each_on_a_line(tmp_path: Path) -> None:
    env = {**good_env(tmp_path), "WEBHOOK_URL": "http://insecure.example", "LOG_FORMAT": "xml"}
    result = check(env)
    assert not result.ok
    assert any(p.startswith("WEBHOOK_URL=") for p in result.problems), result.problems
    assert any(p.startswith("LOG_FORMAT=") for p in result.problems), result.problems


def test_broken_content_is_reported_with_file_and_line(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(ENGINE_FIXTURES, content)
    flow = content / "flows" / "main.yaml"
    flow.write_text(flow.read_text(encoding="utf-8") + "\n  - [unclosed\n", encoding="utf-8")
    result = check({**good_env(tmp_path), "CONTENT_DIR": str(content)})
    assert not result.ok
    assert any(p.startswith(f"{flow}:") and "YAML" in p for p in result.problems), result.problems


def test_missing_content_directory(tmp_path: Path) -> None:
    result = check({**good_env(tmp_path), "CONTENT_DIR": str(tmp_path / "nowhere")})
    assert any("content directory not found" in p for p in result.problems), result.problems


def test_missing_translations_are_reported(tmp_path: Path) -> None:
    empty = tmp_path / "locales"
    empty.mkdir()
    result = check({**good_env(tmp_path), "LOCALES_DIR": str(empty)})
    assert len(result.problems) == 1, result.problems
    assert result.problems[0].startswith("translations: ")
    assert str(empty) in result.problems[0]


def test_data_dir_that_is_a_file(tmp_path: Path) -> None:
    not_a_dir = tmp_path / "data"
    not_a_dir.write_text("oops")
    result = check(good_env(tmp_path))
    assert result.problems == [f"DATA_DIR={not_a_dir} is not a directory (expected a folder)"]


def test_unreadable_data_dir(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    prefix: list[str] = []
    if os.geteuid() == 0:
        # Root ignores permission bits; without these capabilities it obeys them.
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv to drop the override")
        prefix = [setpriv, "--bounding-set=-dac_override,-dac_read_search"]
    data.chmod(0)
    try:
        result = run_health(good_env(tmp_path), prefix)
    finally:
        data.chmod(0o700)
    assert result.returncode == 1
    assert f"health: DATA_DIR={data} is not readable and writable" in result.stderr
    assert "Permission denied" in result.stderr


def test_a_missing_key_beside_a_database_is_reported_not_replaced(tmp_path: Path) -> None:
    env = good_env(tmp_path)
    assert check(env).ok
    key = tmp_path / "data" / "secret.key"
    key.unlink()
    result = check(env)
    assert len(result.problems) == 1
    assert "secret file" in result.problems[0] and "is missing" in result.problems[0]
    assert not key.exists(), "health made a new key: every stored session would be orphaned"


def test_a_damaged_database_is_reported_and_left_alone(tmp_path: Path) -> None:
    env = good_env(tmp_path)
    assert check(env).ok
    database = tmp_path / "data" / "pathways.sqlite3"
    garbage = b"this is not a database" * 100
    database.write_bytes(garbage)
    result = check(env)
    assert len(result.problems) == 1 and "cannot open the database" in result.problems[0]
    assert database.read_bytes() == garbage


def test_error_counts_by_kind_are_shown(tmp_path: Path) -> None:
    env = good_env(tmp_path)
    assert check(env).ok

    async def count_errors() -> None:
        db = await Database.open(tmp_path / "data" / "pathways.sqlite3")
        try:
            counters = Counters(db)
            await counters.add([Tally("error", "NetworkError")] * 3)
            await counters.add([Tally("error", "TimedOut"), Tally("node", "start")])
        finally:
            await db.close()

    asyncio.run(count_errors())
    result = check(env)
    assert result.ok
    assert result.errors == {"NetworkError": 3, "TimedOut": 1}
    assert format_errors(result.errors) == (
        "errors counted by the bot in the last 7 days: NetworkError 3, TimedOut 1"
    )
