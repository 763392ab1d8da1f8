"""Failure drills: the real bot process against a Bot API server on 127.0.0.1 told to fail.

Each drill runs a conversation through a failure and asserts that the bot did not crash
(it stops cleanly on SIGTERM, exit status 0, WAL checkpointed), that no update was lost or
answered twice (every press answered exactly once, one new screen per message, one edit per
press), that the user sees a sensible screen, and that neither the logs nor the data
directory hold anything about the user.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ENGINE_FIXTURES, ROOT
from tests.support.bot_process import BotProcess, User, wait_for
from tests.support.fake_telegram import TOKEN, ApiError, FakeBotApiServer
from tests.support.privacy import find_leaks

CHAT_ID = 731_955_204
FIRST_NAME = "Olena"
USERNAME = "olena_k_1999"
TYPED = "my boss took my passport"
SECRETS: list[str | int] = [CHAT_ID, FIRST_NAME, USERNAME, TYPED, TOKEN.split(":")[1]]


@pytest.fixture
def server() -> Iterator[FakeBotApiServer]:
    with FakeBotApiServer() as running:
        running.telegram.add_user(CHAT_ID, FIRST_NAME, USERNAME, "en")
        yield running


@pytest.fixture
def user(server: FakeBotApiServer) -> User:
    return User(server.telegram, CHAT_ID)


@pytest.fixture
def bot(server: FakeBotApiServer, tmp_path: Path) -> Iterator[BotProcess]:
    with BotProcess(server, tmp_path / "data", tmp_path / "bot.log") as process:
        yield process


def finish(bot: BotProcess, user: User) -> None:
    """Stop with SIGTERM and check everything every drill promises."""
    code = bot.stop()
    logs = bot.logs()
    assert code == 0, logs
    assert "Traceback" not in logs
    assert not bot.wal().exists() or bot.wal().stat().st_size == 0
    user.check_each_update_answered_once()
    files = [p for p in bot.data_dir.iterdir() if p.is_file()]
    assert find_leaks([*files, bot.log_path], SECRETS) == []


def saved_view(bot: BotProcess) -> str:
    """The view stored in the (only) session of the bot's database, or '' if none yet."""
    uri = (bot.data_dir / "pathways.sqlite3").as_uri() + "?mode=ro"
    try:
        with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=1)) as conn:
            rows = conn.execute("SELECT state FROM sessions").fetchall()
    except sqlite3.Error:
        return ""
    return str(json.loads(rows[0][0]).get("view", "")) if len(rows) == 1 else ""


def walk_to_country_question(user: User) -> None:
    user.send("/start", "Welcome")
    user.click("Continue", "What would you like to do?")
    user.click("Find my options", "Where are you now?")


def test_429_with_retry_after_on_every_third_call(
    server: FakeBotApiServer, bot: BotProcess, user: User
) -> None:
    server.telegram.fail(
        "*",
        ApiError(429, "Too Many Requests: retry after 1", retry_after=1),
        when=lambda n: n % 3 == 0,
    )
    bot.start()
    walk_to_country_question(user)
    user.click("Serbia", "Are you safe right now?")
    user.send(TYPED, "did not understand")
    user.click("Yes", "Are you afraid to go back?")
    assert any(not c.ok for c in server.telegram.calls), "no 429 was answered"
    finish(bot, user)


def test_http_500s_and_timeouts(server: FakeBotApiServer, bot: BotProcess, user: User) -> None:
    telegram = server.telegram
    telegram.fail("sendMessage", ApiError(500, "Internal Server Error"), when=lambda n: n == 2)
    telegram.fail("editMessageText", ApiError(500, "Internal Server Error"), when=lambda n: n == 2)
    telegram.fail("getUpdates", ApiError(502, "Bad Gateway"), when=lambda n: n == 3)
    # Longer than the bot waits for an answer (5 s): it gives up, Telegram sends anyway.
    telegram.slow("sendMessage", 6.0, when=lambda n: n == 4)
    bot.start()
    user.send("/start", "Welcome")  # send 1
    user.send(TYPED, "did not understand")  # send 2 fails with a 500, is retried (3)
    user.click("Continue", "What would you like to do?")  # edit 1
    user.click("Find my options", "Where are you now?")  # edit 2 fails with a 500, retried
    user.send("/help", "Hide")  # send 4 is answered too late: the bot gave up
    # The screen arrived late; the session was saved as if it had arrived in time, so its
    # buttons work.
    user.click("Menu", "What would you like to do?")
    assert [c.ok for c in telegram.calls_to("sendMessage")].count(False) == 1
    finish(bot, user)
    assert "TimedOut" in bot.logs()


def test_server_going_away_and_coming_back(
    server: FakeBotApiServer, bot: BotProcess, user: User
) -> None:
    bot.start()
    walk_to_country_question(user)
    server.go_away()
    time.sleep(1.0)
    # Sent while the Bot API cannot be reached: delivered when it is back.
    user.click("Serbia", wait=False)
    time.sleep(0.5)
    server.come_back()
    user.wait_for_screen("Are you safe right now?")
    user.send(TYPED, "did not understand")
    finish(bot, user)
    assert "NetworkError" in bot.logs()
    # The bot counted its errors by kind; `health` shows them.
    health = subprocess.run(
        [sys.executable, "-m", "bot", "health"],
        cwd=ROOT,
        env=bot.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert health.returncode == 0, health.stderr
    counts = next(line for line in health.stdout.splitlines() if line.startswith("errors"))
    assert re.search(r"NetworkError [1-9]", counts), counts


def test_sigkill_mid_conversation_then_restart_continues(
    server: FakeBotApiServer, bot: BotProcess, user: User
) -> None:
    bot.start()
    walk_to_country_question(user)
    time.sleep(0.5)  # between two updates: the last one's session is saved by now
    bot.kill()
    user.click("Serbia", wait=False)  # pressed while the bot is down
    bot.start()
    user.wait_for_screen("Are you safe right now?")
    user.click("Yes", "Are you afraid to go back?")
    user.click("Yes", "Your options")
    finish(bot, user)


def test_database_deleted_while_running(
    server: FakeBotApiServer, bot: BotProcess, user: User
) -> None:
    bot.start()
    walk_to_country_question(user)
    # The bot saves a session just after showing its screen: delete the files only once
    # that save is done, or it would land in the new database and the session survive.
    wait_for(lambda: saved_view(bot) == "node:where", "the session to be saved")
    for file in bot.data_dir.glob("pathways.sqlite3*"):
        file.unlink()
    # The session went with the file: the conversation starts over, on the same message.
    user.click("Serbia", "Welcome")
    user.click("Continue", "What would you like to do?")
    user.click("Find my options", "Where are you now?")
    finish(bot, user)
    assert "starting a new, empty one" in bot.logs()
    assert (bot.data_dir / "pathways.sqlite3").is_file()


def test_sigterm_finishes_the_update_in_flight(
    server: FakeBotApiServer, bot: BotProcess, user: User
) -> None:
    bot.start()
    user.send("/start", "Welcome")
    server.telegram.slow("editMessageText", 1.5)
    user.click("Continue", wait=False)
    wait_for(lambda: "editMessageText" in server.telegram.arrived, "the edit to be on its way")
    code = bot.stop()
    assert code == 0, bot.logs()
    # The update was finished: the screen changed, and its session was saved.
    assert "What would you like to do?" in user.screen_text()
    assert not bot.wal().exists() or bot.wal().stat().st_size == 0
    server.telegram.delays.clear()
    bot.start()
    user.click("Find my options", "Where are you now?")
    finish(bot, user)


def test_broken_content_reload_keeps_serving_the_old_content(
    server: FakeBotApiServer, tmp_path: Path, user: User
) -> None:
    content = tmp_path / "content"
    shutil.copytree(ENGINE_FIXTURES, content)
    env = {"CONTENT_DIR": str(content)}
    with BotProcess(server, tmp_path / "data", tmp_path / "bot.log", env=env) as bot:
        bot.start()
        walk_to_country_question(user)
        flow = content / "flows" / "main.yaml"
        original = flow.read_text(encoding="utf-8")
        flow.write_text(original + "\n  - [unclosed\n", encoding="utf-8")
        assert bot.process is not None
        bot.process.send_signal(signal.SIGHUP)
        wait_for(lambda: "content reload failed" in bot.logs(), "the failed reload", seen=bot.logs)
        # The old content keeps serving: the conversation goes on where it was.
        user.click("Serbia", "Are you safe right now?")
        # A fixed file is taken on the next SIGHUP.
        flow.write_text(original, encoding="utf-8")
        bot.process.send_signal(signal.SIGHUP)
        wait_for(lambda: "content reloaded" in bot.logs(), "the good reload", seen=bot.logs)
        user.click("Yes", "Are you afraid to go back?")
        finish(bot, user)
        failure = next(line for line in bot.logs().splitlines() if "reload failed" in line)
        assert f"{flow}:" in failure, failure


def test_telegram_unreachable_at_start_up(
    server: FakeBotApiServer, bot: BotProcess, user: User
) -> None:
    server.go_away()
    bot.start(wait=False)
    time.sleep(1.5)
    assert not bot.exited(), bot.logs()  # it waits for Telegram instead of crash-looping
    server.come_back()
    user.send("/start", "Welcome")
    finish(bot, user)


def test_a_token_telegram_refuses_ends_the_bot_with_a_clear_line(
    server: FakeBotApiServer, tmp_path: Path
) -> None:
    wrong = "5550001:WRONGtoken_abcdefghijklmnopqrstuvwxyz0"
    env = {"TELEGRAM_BOT_TOKEN": wrong}
    with BotProcess(server, tmp_path / "data", tmp_path / "bot.log", env=env) as bot:
        bot.start(wait=False)
        assert bot.process is not None
        assert bot.process.wait(timeout=30) == 1
        assert "Telegram refused the bot token: check TELEGRAM_BOT_TOKEN" in bot.logs()
        assert "Traceback" not in bot.logs() and wrong.split(":")[1] not in bot.logs()
