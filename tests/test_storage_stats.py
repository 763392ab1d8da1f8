"""Anonymous counters, their reports (small counts suppressed) and ``python -m bot stats``."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import json
import subprocess
import sys
from collections.abc import AsyncIterator, Iterable
from pathlib import Path

import pytest

from bot.cli import main
from bot.engine.screens import Tally
from bot.storage.db import Database
from bot.storage.errors import StorageError
from bot.storage.report import campaign_counts, iso_week, render, stats_report
from bot.storage.stats import MAX_KEY, MAX_KIND, Counters, StatRow, suppress

MONDAY = dt.date(2026, 3, 2)  # ISO week 2026-W10


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(13, 45), tzinfo=dt.UTC)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "pathways.sqlite3")
    yield database
    await database.close()


async def count(db: Database, day: dt.date, tallies: Iterable[Tally]) -> None:
    await Counters(db, clock=lambda: at(day)).add(tallies)


def starts(campaign: str, n: int) -> list[Tally]:
    return [Tally("start", campaign)] * n


# -- counters --------------------------------------------------------------------------------


async def test_counts_add_up_per_day_kind_and_key(db: Database) -> None:
    await count(db, MONDAY, [Tally("start", "poster1"), Tally("language", "ar")])
    await count(db, MONDAY, [Tally("start", "poster1"), Tally("start", "")])
    await count(db, MONDAY + dt.timedelta(days=1), [Tally("start", "poster1")])
    assert await Counters(db).rows() == [
        StatRow(MONDAY, "language", "ar", 1),
        StatRow(MONDAY, "start", "", 1),
        StatRow(MONDAY, "start", "poster1", 2),
        StatRow(MONDAY + dt.timedelta(days=1), "start", "poster1", 1),
    ]
    assert await Counters(db).rows(since=MONDAY + dt.timedelta(days=1)) == [
        StatRow(MONDAY + dt.timedelta(days=1), "start", "poster1", 1)
    ]


async def test_the_day_is_the_utc_date(db: Database) -> None:
    late_in_vienna = dt.datetime(2026, 3, 2, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    await Counters(db, clock=lambda: late_in_vienna).add([Tally("help", "open")])
    assert [r.day for r in await Counters(db).rows()] == [dt.date(2026, 3, 1)]


async def test_nothing_is_kept_per_user(db: Database) -> None:
    # Ten people take the same path: the table holds totals, nothing that tells them apart.
    path = [Tally("start", "poster1"), Tally("node", "country"), Tally("pathway", "asylum")]
    for _ in range(10):
        await count(db, MONDAY, path)
    assert await Counters(db).rows() == [
        StatRow(MONDAY, "node", "country", 10),
        StatRow(MONDAY, "pathway", "asylum", 10),
        StatRow(MONDAY, "start", "poster1", 10),
    ]
    columns = [row[1] for row in await db.fetchall("PRAGMA table_info(counters)")]
    assert columns == ["day", "kind", "key", "count"]
    # No rowid either, so the rows carry no order of arrival.
    create = await db.fetchone("SELECT sql FROM sqlite_master WHERE name = 'counters'")
    assert create is not None and "WITHOUT ROWID" in create[0]


async def test_long_kinds_and_keys_are_cut(db: Database) -> None:
    await count(db, MONDAY, [Tally("k" * 100, "v" * 500)])
    [row] = await Counters(db).rows()
    assert (len(row.kind), len(row.key)) == (MAX_KIND, MAX_KEY)


async def test_many_tallies_at_once_are_one_transaction(db: Database) -> None:
    tallies = [Tally("node", f"node_{i:04d}") for i in range(450)] * 2
    await count(db, MONDAY, tallies)
    found = await Counters(db).rows()
    assert len(found) == 450 and {r.count for r in found} == {2}


async def test_no_tallies_write_nothing(db: Database) -> None:
    await count(db, MONDAY, [])
    assert await Counters(db).rows() == []


async def test_buffered_counts_are_written_at_flush_on_the_day_they_happened(
    db: Database,
) -> None:
    now = [at(MONDAY)]
    buffered = Counters(db, clock=lambda: now[0], buffered=True)
    await buffered.add([Tally("start", "poster1"), Tally("start", "poster1")])
    now[0] = at(MONDAY + dt.timedelta(days=1))  # the flush comes after midnight
    await buffered.add([Tally("start", "poster1")])
    assert await Counters(db).rows() == []  # nothing on disk before the flush
    await buffered.flush()
    assert await Counters(db).rows() == [
        StatRow(MONDAY, "start", "poster1", 2),
        StatRow(MONDAY + dt.timedelta(days=1), "start", "poster1", 1),
    ]
    await buffered.flush()  # nothing left: counted once
    assert [r.count for r in await buffered.rows()] == [2, 1]


async def test_buffered_counts_survive_a_failed_flush(db: Database) -> None:
    buffered = Counters(db, clock=lambda: at(MONDAY), buffered=True)
    await buffered.add([Tally("help", "RS")])
    await db.execute("ALTER TABLE counters RENAME TO counters_away")
    with pytest.raises(StorageError):
        await buffered.flush()
    await db.execute("ALTER TABLE counters_away RENAME TO counters")
    assert await buffered.rows() == [StatRow(MONDAY, "help", "RS", 1)]


def test_suppress_hides_counts_below_the_minimum() -> None:
    rows = [StatRow(MONDAY, "start", "a", 4), StatRow(MONDAY, "start", "b", 5)]
    assert suppress(rows, 5) == [StatRow(MONDAY, "start", "a", None), rows[1]]
    assert suppress(rows, 5)[0].suppressed
    assert suppress(rows, 1) == rows


# -- reports ---------------------------------------------------------------------------------

ROWS = [
    StatRow(MONDAY, "language", "ar", 12),
    StatRow(MONDAY, "start", "", 7),
    StatRow(MONDAY, "start", "poster1", 3),
]


def test_the_table_shows_small_counts_as_below_the_minimum() -> None:
    text = render(ROWS, fmt="table", view="kind", min_count=5)
    lines = text.splitlines()
    assert lines[0].split() == ["day", "kind", "key", "count"]
    assert lines[2].split() == ["2026-03-02", "language", "ar", "12"]
    assert lines[3].split() == ["2026-03-02", "start", "(none)", "7"]
    assert lines[4].split() == ["2026-03-02", "start", "poster1", "<5"]
    assert "Counts below 5 are shown as <5." in text
    assert " 3" not in text


def test_csv_and_json_reports() -> None:
    records = list(csv.reader(io.StringIO(render(ROWS, fmt="csv", view="kind", min_count=5))))
    assert records == [
        ["day", "kind", "key", "count"],
        ["2026-03-02", "language", "ar", "12"],
        ["2026-03-02", "start", "", "7"],
        ["2026-03-02", "start", "poster1", "<5"],
    ]
    document = json.loads(render(ROWS, fmt="json", view="kind", min_count=5, since=MONDAY))
    assert document["min_count"] == 5 and document["since"] == "2026-03-02"
    assert document["rows"][2] == {
        "day": "2026-03-02",
        "kind": "start",
        "key": "poster1",
        "count": None,
        "suppressed": True,
    }


def test_an_empty_report_says_so() -> None:
    assert render([], fmt="table", view="kind", min_count=5).startswith("No counts.")
    assert render([], fmt="csv", view="kind", min_count=5) == "day,kind,key,count\n"


def week_rows(campaign: str, daily: list[int]) -> list[StatRow]:
    return [
        StatRow(MONDAY + dt.timedelta(days=i), "start", campaign, n)
        for i, n in enumerate(daily)
        if n
    ]


def weeks(counts: list[StatRow], min_count: int = 5) -> dict[str, tuple[int | None, str]]:
    return {
        c.campaign: (c.starts, c.reason)
        for c in campaign_counts(counts, min_count)
        if c.granularity == "week"
    }


def test_campaign_view_has_day_and_iso_week_rows() -> None:
    rows = [*week_rows("poster1", [6, 7]), StatRow(MONDAY, "language", "ar", 50)]
    counts = campaign_counts(rows, 5)
    assert [(c.granularity, c.period, c.starts) for c in counts] == [
        ("day", "2026-03-02", 6),
        ("day", "2026-03-03", 7),
        ("week", "2026-W10", 13),
    ]
    assert iso_week(dt.date(2027, 1, 1)) == "2026-W53"


def test_a_week_that_would_reveal_a_hidden_day_by_subtraction_is_withheld() -> None:
    # 10 is shown for Monday; a week total of 13 would reveal Tuesday's hidden 3.
    assert weeks(week_rows("a", [10, 3])) == {
        "a": (None, "would reveal a suppressed daily count by subtraction")
    }
    # Hidden days that add up to the minimum reveal no single day: the total is shown.
    assert weeks(week_rows("b", [10, 3, 3])) == {"b": (16, "")}
    # Nothing hidden: shown.
    assert weeks(week_rows("c", [10, 5])) == {"c": (15, "")}
    # A small week is itself below the minimum.
    assert weeks(week_rows("d", [1, 2])) == {"d": (None, "below the minimum count")}


def test_campaign_reports_in_every_format() -> None:
    rows = [*week_rows("poster1", [10, 3]), *week_rows("flyer", [6])]
    table = render(rows, fmt="table", view="campaign", min_count=5)
    assert "Campaign starts per day:" in table and "Campaign starts per ISO week:" in table
    assert "withheld" in table and "<5" in table
    records = list(csv.reader(io.StringIO(render(rows, fmt="csv", view="campaign", min_count=5))))
    assert records[0] == ["granularity", "period", "campaign", "starts"]
    assert ["week", "2026-W10", "poster1", "withheld"] in records
    assert ["day", "2026-03-03", "poster1", "<5"] in records
    document = json.loads(render(rows, fmt="json", view="campaign", min_count=5))
    assert {"week": "2026-W10", "campaign": "flyer", "starts": 6, "suppressed": False} in document[
        "weeks"
    ]
    withheld = next(w for w in document["weeks"] if w["campaign"] == "poster1")
    assert withheld["starts"] is None and withheld["reason"].startswith("would reveal")


async def test_week_totals_do_not_depend_on_since(tmp_path: Path) -> None:
    # Monday to Wednesday 3 each (hidden), Thursday 10. If --since cut the week, the totals
    # from Monday (19) and from Tuesday (16) would differ by Monday's hidden 3.
    path = tmp_path / "pathways.sqlite3"
    db = await Database.open(path)
    for i, n in enumerate([3, 3, 3, 10]):
        await count(db, MONDAY + dt.timedelta(days=i), starts("poster1", n))
    await db.close()
    reports = [
        json.loads(
            await stats_report(
                path, fmt="json", view="campaign", since=MONDAY + dt.timedelta(days=i)
            )
        )
        for i in range(4)
    ]
    assert {json.dumps(r["weeks"]) for r in reports} == {
        json.dumps([{"week": "2026-W10", "campaign": "poster1", "starts": 19, "suppressed": False}])
    }
    assert [d["day"] for d in reports[1]["days"]] == ["2026-03-03", "2026-03-04", "2026-03-05"]


# -- python -m bot stats ---------------------------------------------------------------------


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no .env from the work tree
    monkeypatch.delenv("STATS_MIN_COUNT", raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def fill(database: Path) -> None:
    """A database as the bot leaves it: a few days of counts."""

    async def run() -> None:
        db = await Database.open(database)
        await count(db, MONDAY, [*starts("poster1", 7), *starts("flyer", 2), Tally("exit", "")])
        await count(db, MONDAY + dt.timedelta(days=8), starts("poster1", 9))
        await db.close()

    asyncio.run(run())


def test_stats_prints_csv(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fill(data_dir / "pathways.sqlite3")
    assert main(["stats", "--format", "csv"]) == 0
    records = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert records == [
        ["day", "kind", "key", "count"],
        ["2026-03-02", "exit", "", "<5"],
        ["2026-03-02", "start", "flyer", "<5"],
        ["2026-03-02", "start", "poster1", "7"],
        ["2026-03-10", "start", "poster1", "9"],
    ]


def test_stats_options(
    data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(data_dir / "pathways.sqlite3")
    assert main(["stats", "--since", "2026-03-03", "--format", "json", "--min-count", "8"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["min_count"] == 8
    assert [(r["day"], r["count"]) for r in document["rows"]] == [("2026-03-10", 9)]
    # The default minimum comes from STATS_MIN_COUNT.
    monkeypatch.setenv("STATS_MIN_COUNT", "1")
    assert main(["stats", "--by", "campaign", "--format", "csv"]) == 0
    records = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert ["day", "2026-03-02", "flyer", "2"] in records
    assert ["week", "2026-W11", "poster1", "9"] in records
    assert main(["stats"]) == 0
    assert "poster1" in capsys.readouterr().out


def test_stats_without_a_database_says_there_is_no_data_yet(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["stats"]) == 1
    error = capsys.readouterr().err
    assert f"no data yet: the bot has not run in DATA_DIR={data_dir}" in error
    assert not data_dir.exists()  # the command created nothing


def test_stats_never_replaces_a_damaged_database(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir.mkdir()
    garbage = b"not a database " * 500
    (data_dir / "pathways.sqlite3").write_bytes(garbage)
    assert main(["stats"]) == 1
    assert "SQLITE_NOTADB" in capsys.readouterr().err
    assert (data_dir / "pathways.sqlite3").read_bytes() == garbage


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["stats", "--since", "March"], "invalid date 'March' (expected YYYY-MM-DD)"),
        (["stats", "--min-count", "0"], "invalid count '0'"),
        (["stats", "--format", "xml"], "invalid choice: 'xml'"),
        (["stats", "--by", "user"], "invalid choice: 'user'"),
    ],
)
def test_stats_bad_options_are_explained(
    data_dir: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_stats_bad_configuration_is_explained(
    data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STATS_MIN_COUNT", "lots")
    assert main(["stats"]) == 2
    assert "STATS_MIN_COUNT='lots' is invalid" in capsys.readouterr().err


def test_listing_the_command_does_not_load_the_database_code() -> None:
    # Every `python -m bot ...` registers `stats`; only running it should import storage.
    probe = (
        "import argparse, sys, bot.cli.stats as c;"
        "c.register(argparse.ArgumentParser().add_subparsers());"
        "print(sorted(m for m in sys.modules if m.startswith(('aiosqlite', 'bot.storage.'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "['bot.storage.formats']"
