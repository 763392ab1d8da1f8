"""Live reloading: a good change is picked up, a broken one keeps the last good content,
SIGHUP reloads at once, and ``check --watch`` reports every change."""

from __future__ import annotations

import asyncio
import logging
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.content.model import Content
from bot.engine.translator import Translator
from bot.loading import LoadError, load_pair
from bot.reload import ContentReloader, snapshot
from tests.conftest import FIXTURES, ROOT

MENU_TEXT = "What would you like to do?"


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A writable copy of the engine's test content."""
    target = tmp_path / "content"
    shutil.copytree(FIXTURES / "engine", target)
    return target


@pytest.fixture
def settings(content_dir: Path) -> Settings:
    return Settings(content_dir=content_dir, locales_dir=ROOT / "locales")


def reloader_for(settings: Settings, **options: Any) -> ContentReloader:
    """A reloader that watches and loads the configured folders, as the bot's does."""
    return ContentReloader(
        lambda: load_pair(settings), (settings.content_dir, settings.locales_dir), **options
    )


def menu_text(content: Content) -> str:
    menu = content.main.node("menu")
    assert menu is not None
    return menu.text


def edit(path: Path, old: str, new: str) -> None:
    """Change a file so that polling sees it even on coarse-mtime file systems."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    before = path.stat().st_mtime_ns
    path.write_text(text.replace(old, new), encoding="utf-8")
    os.utime(path, ns=(before + 2_000_000_000, before + 2_000_000_000))


async def wait_for(condition: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.02)


def test_snapshot_sees_added_changed_and_removed_files(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("a", encoding="utf-8")
    (tmp_path / ".a.yaml.swp").write_text("x", encoding="utf-8")
    first = snapshot([tmp_path])
    assert list(first) == [tmp_path / "a.yaml"]
    (tmp_path / "b.yaml").write_text("b", encoding="utf-8")
    assert snapshot([tmp_path]) != first
    (tmp_path / "b.yaml").unlink()
    assert snapshot([tmp_path]) == first


def test_first_load_errors_are_raised(settings: Settings, content_dir: Path) -> None:
    edit(content_dir / "flows" / "main.yaml", "next: where", "next: nowhere")
    with pytest.raises(LoadError) as caught:
        reloader_for(settings)
    assert any(
        line.startswith(f"{content_dir / 'flows' / 'main.yaml'}:") and "nowhere" in line
        for line in caught.value.messages
    )


async def test_a_good_change_is_picked_up(settings: Settings, content_dir: Path) -> None:
    changes: list[tuple[Content, Translator]] = []
    reloader = reloader_for(settings, interval=0.05, on_change=lambda c, t: changes.append((c, t)))
    old_content, _ = reloader.current
    assert menu_text(old_content) == MENU_TEXT
    task = asyncio.create_task(reloader.run())
    try:
        await asyncio.sleep(0.1)
        assert reloader.reloads == 0, "nothing changed yet"
        edit(content_dir / "flows" / "main.yaml", MENU_TEXT, "What do you need?")
        await wait_for(lambda: reloader.reloads == 1)
    finally:
        task.cancel()
    new_content, _ = reloader.current
    assert menu_text(new_content) == "What do you need?"
    assert changes == [reloader.current]


async def test_a_broken_change_keeps_the_last_good_content(
    settings: Settings, content_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    reloader = reloader_for(settings, interval=0.05)
    good = reloader.current
    task = asyncio.create_task(reloader.run())
    flow = content_dir / "flows" / "main.yaml"
    try:
        with caplog.at_level(logging.ERROR, logger="bot.reload"):
            edit(flow, "  start: welcome", "  start: [welcome")
            await wait_for(lambda: reloader.failures == 1)
        assert reloader.current is good
        assert f"{flow}:" in caplog.text
        assert "still using the last good content" in caplog.text
        # Fixing it is picked up again.
        edit(flow, "  start: [welcome", "  start: welcome")
        await wait_for(lambda: reloader.reloads == 1)
    finally:
        task.cancel()
    assert reloader.current is not good


async def test_sighup_reloads_at_once(settings: Settings) -> None:
    reloader = reloader_for(settings, interval=60)
    before = reloader.current
    task = asyncio.create_task(reloader.run())
    try:
        # Only send the signal once the handler is in place: the default would end pytest.
        await wait_for(lambda: signal.getsignal(signal.SIGHUP) is not signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGHUP)
        await wait_for(lambda: reloader.reloads == 1, timeout=5)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert reloader.current is not before
    assert signal.getsignal(signal.SIGHUP) is signal.SIG_DFL, "handler left behind"


def test_reload_now_reports_instead_of_raising(settings: Settings, content_dir: Path) -> None:
    reloader = reloader_for(settings)
    good = reloader.current
    edit(content_dir / "facts.yaml", "schema_version: 1", "schema_version: 99")
    assert reloader.reload_now() is False
    assert reloader.current is good
    edit(content_dir / "facts.yaml", "schema_version: 99", "schema_version: 1")
    assert reloader.reload_now() is True


class Output:
    """Lines a child process writes, read in a thread so a test can wait for one."""

    def __init__(self, stream: object) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream: object) -> None:
        for line in stream:  # type: ignore[attr-defined]
            self.lines.put(line)

    def wait_for(self, text: str, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"{text!r} not seen; output: {''.join(self.seen)}") from None
            self.seen.append(line)
            if text in line:
                return


def test_check_watch_reports_each_change_until_ctrl_c(content_dir: Path) -> None:
    flow = content_dir / "flows" / "main.yaml"
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "check", "--watch", "--interval", "0.1", str(content_dir)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        err = Output(process.stderr)
        err.wait_for("0 error(s)")
        edit(flow, "next: where", "next: nowhere")
        line = flow.read_text(encoding="utf-8").splitlines().index("          next: nowhere") + 1
        err.wait_for("still using the last good content")
        err.wait_for(f"{flow}:{line}: unknown node 'nowhere'")
        edit(flow, "next: nowhere", "next: where")
        err.wait_for("0 error(s)")
        err.wait_for("content reloaded")
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
