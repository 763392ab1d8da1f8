"""The real ``python -m bot run`` process, a Bot API server on 127.0.0.1, and users.

:class:`ObservedTelegram` is the test suite's fake Bot API (``tests/support``) that also
reports, as they happen, every screen the bot shows and every button press it answers.
:class:`BotProcess` runs the bot against it. :class:`Crowd` plays many users at once: each
sends ``/start``, presses random buttons (seeded) as soon as the previous screen arrives, and
ends with Hide, the quick exit; it times every update and checks that nothing was lost.
"""

from __future__ import annotations

import os
import queue
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import CONTENT_DIR
from tests.support.bot_process import BotProcess as TestBotProcess
from tests.support.fake_telegram import FakeBotApiServer, FakeTelegram

#: Bot API methods that put a screen in front of the user.
SCREEN_METHODS = frozenset({"sendMessage", "editMessageText"})
#: How long the bot may take to start, and how long a crowd may wait for one answer.
START_TIMEOUT = 60.0
SILENCE_TIMEOUT = 30.0


@dataclass(frozen=True)
class Event:
    """Something the bot did for a user, when the server received it."""

    method: str
    #: The chat for screens and deletions, the callback query id for answers.
    key: str
    at: float
    message_id: int = 0
    buttons: tuple[str, ...] = ()


@dataclass
class ObservedTelegram(FakeTelegram):
    """The fake Bot API, reporting screens, deletions and answers to a queue."""

    events: queue.SimpleQueue[Event] = field(default_factory=queue.SimpleQueue)
    #: When each method was first called (e.g. the first getUpdates: the bot is ready).
    first_call: dict[str, float] = field(default_factory=dict)

    def handle(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Answer as the fake does, then report what matters to the users."""
        status, body = super().handle(method, params)
        now = time.perf_counter()
        self.first_call.setdefault(method, now)
        if status != 200:
            return status, body
        if method in SCREEN_METHODS:
            result = body["result"]
            markup = result.get("reply_markup") or {}
            buttons = tuple(
                str(b["callback_data"]) for row in markup.get("inline_keyboard", []) for b in row
            )
            event = Event(method, str(params["chat_id"]), now, int(result["message_id"]), buttons)
            self.events.put(event)
        elif method == "deleteMessages":
            self.events.put(Event(method, str(params["chat_id"]), now))
        elif method == "answerCallbackQuery":
            self.events.put(Event(method, str(params["callback_query_id"]), now))
        return status, body


class BotProcess(TestBotProcess):
    """The test suite's bot process, on the real content and every language, timed.

    One run per instance; entering waits for the first getUpdates (content, catalogs and
    storage loaded) and records how long that took.
    """

    def __init__(self, server: FakeBotApiServer, work: Path, env: dict[str, str]) -> None:
        work.mkdir(parents=True, exist_ok=True)
        log_path = work / "bot.log"
        log_path.write_text("", encoding="utf-8")
        # LANGUAGES="" is no limit: every language of the registry, as deployed.
        real = {"CONTENT_DIR": str(CONTENT_DIR), "LANGUAGES": "", "LOG_LEVEL": "INFO"}
        super().__init__(server, work / "data", log_path, {**real, **env})
        #: Seconds from launch to the first getUpdates (content, catalogs, storage loaded).
        self.ready_after = 0.0

    def __enter__(self) -> BotProcess:
        telegram = self.server.telegram
        assert isinstance(telegram, ObservedTelegram)
        launched = time.perf_counter()
        self.start(wait=False)
        deadline = launched + START_TIMEOUT
        while "getUpdates" not in telegram.first_call:
            if self.exited() or time.perf_counter() > deadline:
                self.close()
                raise RuntimeError(f"the bot did not start:\n{self.logs()}")
            time.sleep(0.01)
        self.ready_after = telegram.first_call["getUpdates"] - launched
        return self

    def memory(self) -> tuple[float, float]:
        """(peak, current) resident memory in MB, from /proc/<pid>/status."""
        assert self.process is not None
        status = Path(f"/proc/{self.process.pid}/status").read_text(encoding="utf-8")
        values = {
            name: int(rest.split()[0]) / 1024
            for name, _, rest in (line.partition(":") for line in status.splitlines())
            if name in ("VmHWM", "VmRSS")
        }
        return values["VmHWM"], values["VmRSS"]

    def cpu_seconds(self) -> float:
        """CPU time the bot process has used so far (user + system), from /proc/<pid>/stat."""
        assert self.process is not None
        stat = Path(f"/proc/{self.process.pid}/stat").read_text(encoding="utf-8")
        fields = stat.rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop_cleanly(self) -> None:
        """SIGTERM; the bot must stop cleanly (exit 0) and log no traceback."""
        code = self.stop(timeout=START_TIMEOUT)
        logs = self.logs()
        if code != 0 or "Traceback" in logs:
            raise RuntimeError(f"the bot stopped with exit status {code}:\n{logs[-4000:]}")


@dataclass
class _User:
    chat_id: int
    presses_left: int
    #: The update in flight: when it was sent, its query id (presses), what is still due.
    sent_at: float = 0.0
    query_id: str = ""
    hiding: bool = False
    awaiting_screen: bool = False
    awaiting_answer: bool = False
    done: bool = False
    message_id: int = 0
    buttons: tuple[str, ...] = ()


@dataclass
class CrowdResult:
    """What the users saw."""

    users: int
    updates: int
    seconds: float
    #: Seconds from sending an update to its screen (or, for Hide, the deletion).
    screen_latencies: list[float]
    #: Seconds from pressing a button to its answer.
    answer_latencies: list[float]
    lost: int
    problems: list[str]

    @property
    def throughput(self) -> float:
        """Updates handled a second, over the whole run."""
        return self.updates / self.seconds if self.seconds else 0.0


class Crowd:
    """Users who all start at once and click through whole conversations."""

    def __init__(self, telegram: ObservedTelegram, users: int, presses: int, seed: int) -> None:
        self.telegram = telegram
        self.rng = random.Random(seed)
        self.users = {
            str(chat_id): _User(chat_id, presses)
            for chat_id in range(600_000_001, 600_000_001 + users)
        }
        self.queries: dict[str, _User] = {}
        self.screens: list[float] = []
        self.answers: list[float] = []
        self.updates = 0
        for user in self.users.values():
            telegram.add_user(user.chat_id, "User", "", "en")

    def run(self) -> CrowdResult:
        """Play every conversation to its end (or until the bot falls silent)."""
        began = time.perf_counter()
        for each in self.users.values():
            self._send_start(each)
        last = began
        waiting = len(self.users)
        while waiting:
            try:
                event = self.telegram.events.get(timeout=SILENCE_TIMEOUT)
            except queue.Empty:
                break
            last = event.at
            user = self._user_for(event)
            if user is None or user.done:
                continue
            self._record(user, event)
            if not (user.awaiting_screen or user.awaiting_answer):
                if user.hiding:
                    user.done = True
                    waiting -= 1
                else:
                    self._next(user)
        lost = sum(1 for u in self.users.values() if not u.done)
        return CrowdResult(
            users=len(self.users),
            updates=self.updates,
            seconds=last - began,
            screen_latencies=self.screens,
            answer_latencies=self.answers,
            lost=lost,
            problems=self.check(),
        )

    def _user_for(self, event: Event) -> _User | None:
        if event.method == "answerCallbackQuery":
            return self.queries.get(event.key)
        return self.users.get(event.key)

    def _record(self, user: _User, event: Event) -> None:
        if event.method == "answerCallbackQuery":
            if user.awaiting_answer and event.key == user.query_id:
                user.awaiting_answer = False
                self.answers.append(event.at - user.sent_at)
            return
        if not user.awaiting_screen:
            return  # a second screen for one update: check() reports it
        if event.method == "deleteMessages" and not user.hiding:
            return
        user.awaiting_screen = False
        self.screens.append(event.at - user.sent_at)
        if event.method in SCREEN_METHODS:
            user.message_id, user.buttons = event.message_id, event.buttons

    def _send_start(self, user: _User) -> None:
        user.awaiting_screen = True
        self.updates += 1
        user.sent_at = time.perf_counter()
        self.telegram.user_sends(user.chat_id, "/start")

    def _next(self, user: _User) -> None:
        """Press a random button of the screen (never Hide, the last one), or end with Hide."""
        if user.presses_left > 0:
            user.presses_left -= 1
            data = self.rng.choice(user.buttons[:-1])
        else:
            user.hiding = True
            data = user.buttons[-1]
        user.awaiting_screen = user.awaiting_answer = True
        self.updates += 1
        user.sent_at = time.perf_counter()
        update = self.telegram.user_clicks(user.chat_id, user.message_id, data)
        user.query_id = str(update["callback_query"]["id"])
        self.queries[user.query_id] = user

    def check(self) -> list[str]:
        """Every press answered exactly once, one screen per update, every chat wiped."""
        telegram = self.telegram
        problems = []
        answers = telegram.answers_per_query()
        for query_id in self.queries:
            if answers.get(query_id, 0) != 1:
                problems.append(f"query {query_id} answered {answers.get(query_id, 0)} times")
        screens: Counter[str] = Counter(
            str(c.params.get("chat_id"))
            for c in telegram.calls
            if c.ok and c.method in SCREEN_METHODS
        )
        failed = Counter(c.method for c in telegram.calls if not c.ok)
        if failed:
            problems.append(f"failed Bot API calls: {dict(failed)}")
        for key, user in self.users.items():
            presses = sum(1 for q in self.queries.values() if q is user)
            expected = 1 + presses - (1 if user.hiding else 0)  # /start, presses, not Hide
            if screens[key] != expected:
                problems.append(f"chat {key}: {screens[key]} screens for {expected} updates")
            if user.done and telegram.all_messages(user.chat_id):
                problems.append(f"chat {key}: messages left after Hide")
        return problems
