"""Per-update cost: the full bot against a bare python-telegram-bot application.

The applications get the same callback-query updates (the full bot through its dispatcher, as ``run`` gives them; the bare ones through ``Application.process_update``)
with an instant in-process Bot API (:mod:`bench.instant_api`), one after the other for every
update, so whatever the machine does meanwhile hits them alike. Which one goes first rotates:
the next one runs python-telegram-bot's code just after the first warmed the processor's
caches with it, which made it about a tenth faster than going first (measured).

* The **full bot** is ``bot.telegram.app.build_application`` as ``run`` builds it: flood
  gate, per-chat lock, session load (HMAC key, SQLite), engine step with translations,
  counters, rendering, the answer to the query, the edit, and the session save; only its
  rate limit is off (``TELEGRAM_RATE_LIMIT=0``), since it would measure waiting.
* The **bare application** has one ``CallbackQueryHandler`` that answers the query and edits
  the message to show the very screen the full bot shows for that update (same HTML, same
  keyboard), with nothing else: the least any bot must do, written as python-telegram-bot's
  documentation writes it (an ``InlineKeyboardMarkup`` of ``InlineKeyboardButton`` objects).
  The issue's target is measured against it.
* The **bare application with a JSON keyboard** is the same, but hands the keyboard to
  python-telegram-bot as the Bot API's JSON, as the full bot does (``bot.telegram.render``):
  against it, the ratio is the cost of everything the full bot does besides answering and
  editing.

When the full bot does not go first, the screen it will show is worked out beforehand with the
pure engine (a step drawn afresh, from the session the full bot will load), and checked
against what the full bot then shows.

Users are distinct chats; each sends ``/start`` once (timed separately), then random users
press a random button of their current screen (seeded), walking the real content. Hide is
left out of the walk: it ends the conversation (its cost is the quick exit's, not a step's).
"""

from __future__ import annotations

import asyncio
import logging
import random
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler, ContextTypes

from bench.common import (
    ALL_LANGUAGES_NOTE,
    CONTENT_DIR,
    Latencies,
    all_languages_locales,
    ms,
    table,
    verdict,
)
from bench.instant_api import TOKEN, InstantBotApi, press_update, start_update

#: A keyboard as (label, callback data) rows.
Rows = tuple[tuple[tuple[str, str], ...], ...]

#: The applications, in the order they take turns going first.
APPLICATIONS = ("full", "bare", "lean")

#: The issue's targets.
RATIO_TARGET = 1.5
P99_TARGET_MS = 5.0


@dataclass(frozen=True)
class Config:
    """How big a run is."""

    users: int
    presses: int
    warmup: int
    seed: int = 20261123


FULL = Config(users=10_000, presses=20_000, warmup=1_000)
TINY = Config(users=40, presses=120, warmup=20)


class ErrorCounter(logging.Handler):
    """Counts ERROR records (the bot's error handler, python-telegram-bot's own)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0
        self.last = ""

    def emit(self, record: logging.LogRecord) -> None:
        """Count it."""
        self.count += 1
        self.last = record.getMessage()


class BareBot:
    """A python-telegram-bot application that only answers and edits, as little as can be;
    with ``json_keyboard``, the keyboard goes as Bot API JSON instead of objects."""

    def __init__(self, *, json_keyboard: bool = False) -> None:
        self.json_keyboard = json_keyboard
        self.api = InstantBotApi(record=False)
        #: The screen to show for each callback query id (what the full bot showed).
        self.screens: dict[str, tuple[str, Rows]] = {}
        self.app = (
            Application.builder().token(TOKEN).request(self.api).get_updates_request(self.api)
        ).build()
        self.app.add_handler(CallbackQueryHandler(self.on_press))

    async def on_press(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer the query, then edit its message into the next screen."""
        query = update.callback_query
        assert query is not None
        await query.answer()
        text, rows = self.screens.pop(query.id)
        if self.json_keyboard:
            markup = {
                "inline_keyboard": [
                    [{"text": label, "callback_data": data} for label, data in row] for row in rows
                ]
            }
            await query.edit_message_text(
                text,
                parse_mode=ParseMode.HTML,
                api_kwargs={"reply_markup": markup},
            )
            return
        keyboard = InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(label, callback_data=data) for label, data in row]
                for row in rows
            ]
        )
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)


class Walk:
    """Both applications, the users and their random walks."""

    def __init__(self, config: Config, work: Path) -> None:
        self.config = config
        self.work = work
        self.rng = random.Random(config.seed)
        self.api = InstantBotApi()
        self.bare = BareBot()
        self.lean = BareBot(json_keyboard=True)
        self.update_ids = iter(range(1, 1 << 62))
        self.users = list(range(700_000_001, 700_000_001 + config.users))
        self.languages: tuple[str, ...] = ()
        self.full: Any = None
        self.runtime: Any = None

    async def open(self) -> None:
        """Build and start both applications (storage opened as ``run`` opens it)."""
        from bot.config import Settings
        from bot.content import load_content
        from bot.i18n import load_translator
        from bot.telegram.app import build_application

        settings = Settings(
            telegram_token=TOKEN,
            data_dir=self.work / "data",
            locales_dir=all_languages_locales(self.work),
            content_dir=CONTENT_DIR,
            rate_limit=0,  # the instant API has no limit; measure our cost, not waiting
        )
        content = load_content(CONTENT_DIR)
        translator = load_translator(settings)
        self.languages = tuple(lang.code for lang in translator.languages)
        self.full, self.runtime = build_application(settings, content, translator, request=self.api)
        await self.full.initialize()
        await self.runtime.start(self.full)
        await self.bare.app.initialize()
        await self.lean.app.initialize()

    async def close(self) -> None:
        """Stop both applications and close storage."""
        await self.runtime.stop(self.full)
        await self.full.shutdown()
        await self.bare.app.shutdown()
        await self.lean.app.shutdown()

    async def start(self, chat_id: int) -> int:
        """The user sends /start to the full bot; returns nanoseconds taken."""
        update = Update.de_json(start_update(next(self.update_ids), chat_id), self.full.bot)
        began = time.perf_counter_ns()
        await self.runtime.dispatcher.dispatch(update)
        return time.perf_counter_ns() - began

    async def timed(self, app: Any, update: Update) -> tuple[int, int]:
        """Wall-clock and CPU nanoseconds (every thread of the process, so SQLite's too)
        that ``app`` takes to process ``update``. The full bot gets it as ``run`` gives it,
        through its dispatcher (the chat's turn, a task); the bare ones straight."""
        cpu, wall = time.process_time_ns(), time.perf_counter_ns()
        if app is self.full:
            await self.runtime.dispatcher.dispatch(update)
        else:
            await app.process_update(update)
        return time.perf_counter_ns() - wall, time.process_time_ns() - cpu

    async def preview(self, chat_id: int, data: str) -> tuple[str, Rows]:
        """The screen (HTML, keyboard) the full bot will show for pressing ``data``: the same
        pure step on the session it will load, drawn afresh (its own drawings untouched)."""
        from bot.engine.engine import step
        from bot.telegram import callback_data, render

        conversations = self.runtime.conversations
        session = await conversations.sessions.load_session(chat_id)
        press = callback_data.press(data)
        outcome = step(conversations.content, session, press, conversations.translator)
        last = render.messages(outcome.screens[-1])[-1]
        assert last.keyboard is not None
        rows = tuple(
            tuple((button["text"], button["callback_data"]) for button in row)
            for row in last.keyboard["inline_keyboard"]
        )
        return last.html, rows

    def choose(self) -> tuple[int, int, str]:
        """A random user and a random button of their screen (never Hide, the last one)."""
        chat_id = self.rng.choice(self.users)
        shown = self.api.shown(chat_id)
        return chat_id, shown.message_id, self.rng.choice(shown.callback_data[:-1])

    async def press(self, first: int) -> dict[str, tuple[int, int]]:
        """One random press, handled by each application in turn, starting with
        ``APPLICATIONS[first % 3]``: (wall, CPU) nanoseconds of each, by name."""
        chat_id, message_id, data = self.choose()
        update_id = next(self.update_ids)
        raw = press_update(update_id, chat_id, message_id, data)
        apps = {"full": self.full, "bare": self.bare.app, "lean": self.lean.app}
        order = APPLICATIONS[first % 3 :] + APPLICATIONS[: first % 3]
        expected = None if order[0] == "full" else await self.preview(chat_id, data)
        timings: dict[str, tuple[int, int]] = {}
        for name in order:
            if name != "full":
                if expected is None:
                    shown = self.api.shown(chat_id)
                    expected = (shown.text, shown.rows)
                (self.bare if name == "bare" else self.lean).screens[str(update_id)] = expected
            update = Update.de_json(raw, apps[name].bot)
            timings[name] = await self.timed(apps[name], update)
        shown = self.api.shown(chat_id)
        if (shown.text, shown.rows) != expected:
            raise RuntimeError("the full bot showed another screen than the one previewed")
        return timings


@dataclass(frozen=True)
class Timed:
    """One application's timings over the presses of a run."""

    latencies: Latencies
    #: Mean CPU milliseconds a press (all threads: the bot's and SQLite's), which machine
    #: noise does not inflate the way it does wall-clock time.
    cpu: float


@dataclass(frozen=True)
class Result:
    """Timings of one run."""

    config: Config
    languages: tuple[str, ...]
    start: Latencies
    full: Timed
    bare: Timed
    #: The bare application with a JSON keyboard.
    lean: Timed


async def measure(config: Config) -> Result:
    """Run the benchmark: every user starts, then the timed presses; checks the answers."""
    errors = ErrorCounter()
    logging.getLogger().addHandler(errors)
    wall: dict[str, list[int]] = {name: [] for name in APPLICATIONS}
    cpu = dict.fromkeys(APPLICATIONS, 0)
    try:
        with tempfile.TemporaryDirectory(prefix="pathways-bench-") as work:
            walk = Walk(config, Path(work))
            await walk.open()
            try:
                starts = [await walk.start(chat_id) for chat_id in walk.users]
                for n in range(config.warmup + config.presses):
                    timings = await walk.press(first=n)
                    if n >= config.warmup:
                        for name, (wall_ns, cpu_ns) in timings.items():
                            wall[name].append(wall_ns)
                            cpu[name] += cpu_ns
                _check(walk, config, errors)
            finally:
                await walk.close()
    finally:
        logging.getLogger().removeHandler(errors)
    timed = {
        name: Timed(Latencies.of(wall[name]), cpu[name] / config.presses / 1e6)
        for name in APPLICATIONS
    }
    return Result(
        config,
        walk.languages,
        Latencies.of(starts),
        timed["full"],
        timed["bare"],
        timed["lean"],
    )


def _check(walk: Walk, config: Config, errors: ErrorCounter) -> None:
    """Every update got exactly one answer and one screen, on every side, and no errors."""
    presses = config.warmup + config.presses
    expected = {
        "full bot": (walk.api.calls, config.users),
        "bare application": (walk.bare.api.calls, 0),
        "bare application, JSON keyboard": (walk.lean.api.calls, 0),
    }
    for name, (calls, starts) in expected.items():
        answers = calls["answerCallbackQuery"]
        screens = calls["editMessageText"] + calls["sendMessage"]
        if answers != presses or screens != presses + starts:
            raise RuntimeError(
                f"{name}: {answers} answers and {screens} screens for {presses} presses and "
                f"{starts} starts (expected one answer a press and one screen an update)"
            )
    if errors.count:
        raise RuntimeError(f"{errors.count} error(s) logged, the last: {errors.last}")


def _row(name: str, timings: Latencies, cpu: float | None) -> list[object]:
    return [
        name,
        timings.count,
        ms(timings.mean),
        ms(timings.p50),
        ms(timings.p99),
        ms(timings.max),
        "" if cpu is None else ms(cpu),
        f"{timings.per_second:,.0f}",
    ]


def _ratio_row(name: str, full: Timed, base: Timed) -> list[object]:
    a, b = full.latencies, base.latencies
    return [
        name,
        "",
        f"{a.mean / b.mean:.2f}×",
        f"{a.p50 / b.p50:.2f}×",
        f"{a.p99 / b.p99:.2f}×",
        "",
        f"{full.cpu / base.cpu:.2f}×",
        "",
    ]


def report(result: Result) -> str:
    """The result as a table, with the ratios and the targets."""
    config = result.config
    full, bare, lean = result.full, result.bare, result.lean
    ratio = full.latencies.mean / bare.latencies.mean
    rows: list[list[object]] = [
        _row("bare python-telegram-bot", bare.latencies, bare.cpu),
        _row("bare, keyboard as JSON", lean.latencies, lean.cpu),
        _row("full bot", full.latencies, full.cpu),
        _ratio_row("ratio full / bare", full, bare),
        _ratio_row("ratio full / bare, keyboard as JSON", full, lean),
        _row("full bot, /start (new session)", result.start, None),
    ]
    title = (
        f"Per-update cost: {config.users:,} users, {config.presses:,} button presses "
        f"(after {config.warmup:,} warm-up), {len(result.languages)} languages "
        f"({ALL_LANGUAGES_NOTE})"
    )
    headers = ["", "updates", "mean ms", "p50 ms", "p99 ms", "max ms", "CPU ms", "per s"]
    text = table(title, headers, rows)
    p99 = full.latencies.p99
    text += (
        f"\nTargets: full ≤ {RATIO_TARGET}× bare (mean): {ratio:.2f}×, "
        f"{verdict(ratio <= RATIO_TARGET)}; p99 ≤ {P99_TARGET_MS:g} ms: "
        f"{ms(p99)} ms, {verdict(p99 <= P99_TARGET_MS)}. "
        "CPU ms: mean CPU time a press, all threads (the bot's and SQLite's). The full bot "
        "sends keyboards as JSON; against the bare application doing the same, the ratio is "
        "the cost of everything else it does.\n"
    )
    return text


def run(config: Config) -> str:
    """Run and report."""
    return report(asyncio.run(measure(config)))
