"""Load test: many users at once against ``python -m bot run`` over HTTP on 127.0.0.1.

The bot polls the test suite's fake Bot API server (a real HTTP server, in this process);
every user sends ``/start``, presses random buttons as soon as each screen arrives (no
reading time: the hardest case), and ends with Hide. The test fails unless every press was
answered exactly once, every update got exactly one screen (Hide: the deletion), and every
conversation finished: 0 updates lost.

Telegram lets a bot send about 30 messages a second; the fake server has no limit. The bot
keeps to Telegram's limit itself (``TELEGRAM_RATE_LIMIT``, default 30), so a run as shipped
measures that limit, not the bot. The first run therefore turns it off
(``TELEGRAM_RATE_LIMIT=0``) to find how much the process itself can handle; the full
configuration adds a run as shipped, to show that under the limit nothing is lost and button
presses are still answered at once (answers are not messages and are not held back).
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import ALL_LANGUAGES_NOTE, Latencies, all_languages_locales, ms, table
from bench.live import BotProcess, Crowd, CrowdResult, ObservedTelegram
from tests.support.fake_telegram import FakeBotApiServer


@dataclass(frozen=True)
class Config:
    """How big a run is."""

    users: int
    #: Random presses per conversation, between /start and Hide. The per-chat flood gate
    #: lets 15 updates through at once, so a conversation of 1 + presses + 1 updates at full
    #: speed stays within it.
    presses: int
    #: Also run with the shipped rate limit (30 messages a second).
    as_shipped: bool
    seed: int = 20261123


FULL = Config(users=200, presses=10, as_shipped=True)
TINY = Config(users=5, presses=3, as_shipped=False)


@dataclass(frozen=True)
class Run:
    """One load test run."""

    rate_limit: int
    crowd: CrowdResult
    peak_mb: float
    #: Share of one core used during the run by the bot, and by this process (the fake
    #: Bot API server and the users).
    bot_cpu: float
    server_cpu: float
    #: CPU milliseconds the bot process spent per update (all its threads).
    bot_cpu_per_update: float


def load(config: Config, rate_limit: int) -> Run:
    """Run the crowd against a fresh bot with ``TELEGRAM_RATE_LIMIT=rate_limit``."""
    with tempfile.TemporaryDirectory(prefix="pathways-load-") as work_dir:
        work = Path(work_dir)
        env = {
            "LOCALES_DIR": str(all_languages_locales(work)),
            "TELEGRAM_RATE_LIMIT": str(rate_limit),
        }
        telegram = ObservedTelegram()
        with FakeBotApiServer(telegram) as server, BotProcess(server, work, env) as bot:
            users = Crowd(telegram, config.users, config.presses, config.seed)
            bot_cpu, server_cpu = bot.cpu_seconds(), time.process_time()
            crowd = users.run()
            bot_cpu = bot.cpu_seconds() - bot_cpu
            server_cpu = time.process_time() - server_cpu
            peak, _ = bot.memory()
            bot.stop_cleanly()
    if crowd.lost or crowd.problems:
        raise RuntimeError(
            f"load test (rate limit {rate_limit}): {crowd.lost} conversation(s) lost; "
            + "; ".join(crowd.problems[:10])
        )
    seconds = max(crowd.seconds, 1e-9)
    return Run(
        rate_limit,
        crowd,
        peak,
        bot_cpu / seconds,
        server_cpu / seconds,
        bot_cpu / crowd.updates * 1e3,
    )


def _row(run: Run) -> list[object]:
    crowd = run.crowd
    screens = Latencies.of([int(s * 1e9) for s in crowd.screen_latencies])
    answers = Latencies.of([int(s * 1e9) for s in crowd.answer_latencies])
    limit = "off (0)" if run.rate_limit == 0 else f"{run.rate_limit} msg/s (shipped)"
    return [
        limit,
        crowd.users,
        crowd.updates,
        f"{crowd.seconds:.1f}",
        f"{crowd.throughput:,.0f}",
        ms(screens.p50),
        ms(screens.p99),
        ms(screens.max),
        ms(answers.p50),
        ms(answers.p99),
        crowd.lost,
        f"{run.bot_cpu:.0%}",
        ms(run.bot_cpu_per_update),
        f"{run.server_cpu:.0%}",
        f"{run.peak_mb:.0f}",
    ]


def report(config: Config, runs: list[Run]) -> str:
    """The runs as one table."""
    title = (
        f"Load test: {config.users} users at once, each /start + {config.presses} random "
        f"presses + Hide, against `python -m bot run` over HTTP on 127.0.0.1 "
        f"({ALL_LANGUAGES_NOTE})"
    )
    headers = [
        "TELEGRAM_RATE_LIMIT",
        "users",
        "updates",
        "seconds",
        "updates/s",
        "screen p50 ms",
        "screen p99 ms",
        "screen max ms",
        "answer p50 ms",
        "answer p99 ms",
        "lost",
        "bot CPU",
        "bot CPU ms/update",
        "server CPU",
        "peak RSS MB",
    ]
    text = table(title, headers, [_row(run) for run in runs])
    text += (
        "\nEvery press answered exactly once, one screen per update, every chat wiped by "
        "Hide: checked. Latency: from the update being available to getUpdates to the "
        "screen (or answer) reaching the server. Telegram allows a bot about 30 messages a "
        "second; the fake server has no limit.\n"
    )
    return text


def run(config: Config) -> str:
    """Run and report."""
    runs = [load(config, rate_limit=0)]
    if config.as_shipped:
        runs.append(load(config, rate_limit=30))
    return report(config, runs)
