"""Reload content and translations while the bot runs, keeping the last good pair.

:class:`ContentReloader` holds the current ``(content, translator)`` pair. It loads a new
pair when a file under the watched folders changes (polled by modification time every few
seconds: no extra dependency, and it works on every file system) or when the process gets
SIGHUP. A broken change is logged with its ``file:line`` errors and the last good pair stays
in use, so an editor's typo never takes the bot down.

It is given a ``load`` function (usually :func:`bot.loading.load_pair`). Used by
``python -m bot check --watch``; the Telegram app uses :meth:`ContentReloader.run`
as a background task and :attr:`ContentReloader.current` (or ``on_change``) for each update.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from bot.loading import LoadError, Pair

if TYPE_CHECKING:
    from bot.content.model import Content
    from bot.engine.translator import Translator

logger = logging.getLogger(__name__)

#: Files seen under the watched folders: path → (modification time in ns, size).
Snapshot = dict[Path, tuple[int, int]]


def snapshot(folders: Iterable[Path]) -> Snapshot:
    """Every file under ``folders`` with its modification time and size.

    Hidden files and folders (editors' swap files, ``.git``) and ``__pycache__`` are skipped:
    they change without the content changing.
    """
    seen: Snapshot = {}
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            parts = path.relative_to(folder).parts
            if any(p.startswith(".") or p == "__pycache__" for p in parts) or path.name.endswith(
                "~"
            ):
                continue
            with contextlib.suppress(OSError):  # deleted between listing and stat
                if path.is_file():
                    stat = path.stat()
                    seen[path] = (stat.st_mtime_ns, stat.st_size)
    return seen


class ContentReloader:
    """The current content and translator, reloaded on change or SIGHUP.

    ``load`` builds a new pair; it raises :class:`LoadError` for content with errors (any
    other exception is reported too). The first load happens here and its errors are raised:
    there is no last good pair to fall back on yet.
    """

    def __init__(
        self,
        load: Callable[[], Pair],
        watch: Iterable[Path],
        *,
        interval: float = 2.0,
        on_change: Callable[[Content, Translator], None] | None = None,
    ) -> None:
        self._load = load
        self.watch = tuple(watch)
        self.interval = interval
        self.on_change = on_change
        self._snapshot = snapshot(self.watch)
        self._current: Pair = load()
        #: How many reloads succeeded and failed (for tests and status output).
        self.reloads = 0
        self.failures = 0
        self._wake: asyncio.Event | None = None

    @property
    def current(self) -> Pair:
        """The last good ``(content, translator)``."""
        return self._current

    def changed(self) -> bool:
        """Whether a watched file was added, removed or modified since the last load."""
        return snapshot(self.watch) != self._snapshot

    def reload_now(self) -> bool:
        """Load now; returns whether the new pair was taken (else the old one is kept)."""
        self._snapshot = snapshot(self.watch)
        return self._accept(self._attempt())

    def _attempt(self) -> Pair | list[str]:
        """A new pair, or the error lines (never raises: a reload must not stop the bot)."""
        try:
            return self._load()
        except LoadError as exc:
            return exc.messages
        except Exception as exc:  # any loader failure is reported, never raised
            return [f"{type(exc).__name__}: {exc}"]

    def _accept(self, result: Pair | list[str]) -> bool:
        if isinstance(result, list):
            self.failures += 1
            logger.error(
                "content reload failed; still using the last good content:\n%s",
                "\n".join(result),
            )
            return False
        self._current = result
        self.reloads += 1
        logger.info("content reloaded")
        if self.on_change is not None:
            self.on_change(*result)
        return True

    def request_reload(self) -> None:
        """Ask the running :meth:`run` loop to reload at once (what SIGHUP does)."""
        if self._wake is not None:
            self._wake.set()

    async def run(self) -> None:
        """Poll for changes every ``interval`` seconds, and reload on SIGHUP, until cancelled.

        Loading runs in a worker thread so the event loop keeps serving users meanwhile; the
        new pair is installed (and ``on_change`` called) back on the loop's thread.
        """
        loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        sighup = _add_sighup(loop, self.request_reload)
        try:
            while True:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self.interval)
                forced = self._wake.is_set()
                self._wake.clear()
                current = await asyncio.to_thread(snapshot, self.watch)
                if forced or current != self._snapshot:
                    if forced:
                        logger.info("SIGHUP: reloading content")
                    self._snapshot = current
                    self._accept(await asyncio.to_thread(self._attempt))
        finally:
            if sighup is not None:
                loop.remove_signal_handler(sighup)
            self._wake = None


def _add_sighup(
    loop: asyncio.AbstractEventLoop, callback: Callable[[], None]
) -> signal.Signals | None:
    """Install a SIGHUP handler where the platform has one (not on Windows, not in threads)."""
    sighup: signal.Signals | None = getattr(signal, "SIGHUP", None)
    if sighup is None:
        return None
    try:
        loop.add_signal_handler(sighup, callback)
    except (NotImplementedError, RuntimeError, ValueError):
        return None
    return sighup
