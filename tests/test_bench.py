"""The benchmarks keep working: each runs once in its tiny configuration and prints its table.

Timings are not asserted (a loaded CI machine would make that flaky); what is asserted is
what each benchmark checks itself: every update answered exactly once with one screen, no
conversation lost, a purge that removes exactly the expired sessions.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest

from bench import load_test, per_update, profiling, startup, storage
from bench.common import (
    Latencies,
    all_languages_locales,
    percentile,
    registered_languages,
    table,
)
from bench.run import main
from bot.config import ConfigError, Settings


def rows(text: str, title: str) -> list[list[str]]:
    """The body rows of the first Markdown table under ``### title...`` in ``text``."""
    lines = text.split(f"### {title}", 1)[1].splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("|"))
    found = []
    for line in lines[first + 2 :]:  # after the header and the rule
        if not line.startswith("|"):
            break
        found.append([cell.strip() for cell in line.strip("|").split("|")])
    return found


def number(cell: str) -> float:
    return float(cell.rstrip("×%").replace(",", ""))


def test_per_update_compares_the_full_bot_with_bare_python_telegram_bot() -> None:
    text = per_update.run(per_update.TINY)
    table_rows = {row[0]: row for row in rows(text, "Per-update cost")}
    assert set(table_rows) == {
        "bare python-telegram-bot",
        "bare, keyboard as JSON",
        "full bot",
        "ratio full / bare",
        "ratio full / bare, keyboard as JSON",
        "full bot, /start (new session)",
    }
    for name in ("bare python-telegram-bot", "bare, keyboard as JSON", "full bot"):
        assert int(table_rows[name][1]) == per_update.TINY.presses
        mean, p50, p99, top = (number(c) for c in table_rows[name][2:6])
        assert 0 < p50 <= p99 <= top and mean > 0
    assert int(table_rows["full bot, /start (new session)"][1]) == per_update.TINY.users
    assert re.search(r"Targets: full ≤ 1\.5× bare \(mean\): [\d.]+×, (met|MISSED)", text)


def test_a_press_without_its_answer_fails_the_per_update_check() -> None:
    config = per_update.Config(users=2, presses=3, warmup=0)
    full = Counter({"answerCallbackQuery": 3, "editMessageText": 3, "sendMessage": 2})
    bare = Counter({"answerCallbackQuery": 3, "editMessageText": 3})
    lean = Counter({"answerCallbackQuery": 3, "editMessageText": 3})
    walk = SimpleNamespace(
        api=SimpleNamespace(calls=full),
        bare=SimpleNamespace(api=SimpleNamespace(calls=bare)),
        lean=SimpleNamespace(api=SimpleNamespace(calls=lean)),
    )
    per_update._check(walk, config, per_update.ErrorCounter())  # type: ignore[arg-type]
    lean["editMessageText"] -= 1
    with pytest.raises(RuntimeError, match="JSON keyboard: 3 answers and 2 screens"):
        per_update._check(walk, config, per_update.ErrorCounter())  # type: ignore[arg-type]
    lean["editMessageText"] += 1
    bare["answerCallbackQuery"] -= 1
    with pytest.raises(RuntimeError, match="bare application: 2 answers and 3 screens"):
        per_update._check(walk, config, per_update.ErrorCounter())  # type: ignore[arg-type]


def test_startup_times_the_loading_and_reads_the_memory_of_run() -> None:
    text = startup.run(startup.TINY)
    languages = registered_languages()
    phases = {row[0]: number(row[1]) for row in rows(text, "Start-up")}
    assert phases["content + catalogs"] == pytest.approx(
        phases["load + validate content"] + phases[f"load {languages} catalogs"], abs=0.002
    )
    [memory] = rows(text, "Memory of `python -m bot run`")
    assert memory[0] == f"{languages} (all)"
    peak, rss = number(memory[2]), number(memory[3])
    assert 20 < rss <= peak < 1000  # MB, read from /proc


def test_storage_counts_operations_and_purges_exactly_the_expired_sessions() -> None:
    text = storage.run(storage.TINY)
    operations = {row[0]: row for row in rows(text, "Storage")}
    assert set(operations) == {
        "save, new session",
        "save, existing session (+1 message id)",
        "save, existing session (no new id: a button press)",
        "load (the database)",
        "load, recently saved (memory, as the bot does)",
        "forget (delete + WAL checkpoint)",
    }
    assert int(operations["load (the database)"][1]) == storage.TINY.sessions
    [purge] = rows(text, "Purge")
    assert purge[0] == f"{storage.TINY.expired:,}"


def test_load_test_answers_every_press_once_and_loses_nothing() -> None:
    text = load_test.run(load_test.TINY)
    [run] = rows(text, "Load test")
    config = load_test.TINY
    assert run[0] == "off (0)"
    assert int(run[1]) == config.users
    assert int(run[2]) == config.users * (config.presses + 2)
    assert run[10] == "0"  # lost


def test_profile_lists_where_the_time_goes() -> None:
    text = profiling.run(per_update.TINY)
    assert "Profile of the full bot" in text
    assert "handlers.py" in text and "process_update" in text


def test_run_py_prints_the_machine_and_the_chosen_tables(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--tiny", "--only", "storage"]) == 0
    out = capsys.readouterr().out
    assert "### Machine" in out and "python-telegram-bot" in out
    assert "### Storage" in out and "### Per-update" not in out


def test_latency_summary_and_tables() -> None:
    assert percentile([1, 2, 3, 4], 50) == 2
    assert percentile(list(range(1, 101)), 99) == 99
    summary = Latencies.of([3_000_000, 1_000_000, 2_000_000])
    assert (summary.count, summary.p50, summary.max, summary.mean) == (3, 2.0, 3.0, 2.0)
    with pytest.raises(ValueError):
        Latencies.of([])
    assert table("T", ["a", "bb"], [[1, 2]]).splitlines() == [
        "### T",
        "",
        "| a | bb |",
        "| - | -- |",
        "| 1 | 2  |",
    ]


def test_every_language_is_enabled_in_the_benchmarks_copy(tmp_path: Path) -> None:
    copy = all_languages_locales(tmp_path)
    text = (copy / "languages.yaml").read_text(encoding="utf-8")
    assert "enabled: false" not in text
    assert text.count("enabled: true") == registered_languages() >= 13


def test_the_rate_limit_setting() -> None:
    assert Settings.from_env({}).rate_limit == 30
    assert Settings.from_env({"TELEGRAM_RATE_LIMIT": "0"}).rate_limit == 0
    with pytest.raises(ConfigError, match=r"TELEGRAM_RATE_LIMIT='fast' is invalid"):
        Settings.from_env({"TELEGRAM_RATE_LIMIT": "fast"})
