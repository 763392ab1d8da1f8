"""``python -m bot stats``: the counters as a table, CSV or JSON, small counts suppressed.

Two views: ``kind`` (every count by day, kind and key) and ``campaign`` (deep-link starts per
campaign, per day and per ISO week). A weekly total could undo the daily suppression by
subtraction (a week of 13 with one visible day of 10 reveals a hidden 3), so a week whose
hidden daily counts add up to less than the threshold is withheld as well. Week totals always
cover whole ISO weeks, whatever ``--since`` says: a total over a week cut at a chosen day,
compared with one cut a day later, would reveal that day's count.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from bot.storage.db import Database, StorageError
from bot.storage.formats import Format, View
from bot.storage.stats import Counters, StatRow, suppress

SMALL = "below the minimum count"
WITHHELD = "would reveal a suppressed daily count by subtraction"


@dataclass(frozen=True)
class CampaignCount:
    """Starts from one campaign in one period (a day or an ISO week)."""

    period: str
    granularity: Literal["day", "week"]
    campaign: str
    #: ``None`` when suppressed; ``reason`` then says why.
    starts: int | None
    reason: str = ""


def iso_week(day: dt.date) -> str:
    """``2026-W48``: the ISO year and week of ``day``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s ISO week."""
    return day - dt.timedelta(days=day.weekday())


def campaign_counts(
    rows: list[StatRow], min_count: int, since: dt.date | None = None
) -> list[CampaignCount]:
    """Starts per campaign per day (from ``since`` on), then per ISO week, from unsuppressed
    ``rows``. Week totals use every row given, so pass whole weeks (see :func:`week_start`)."""
    daily = [r for r in rows if r.kind == "start" and r.count is not None]
    result = [
        CampaignCount(
            r.day.isoformat(),
            "day",
            r.key,
            r.count if r.count is not None and r.count >= min_count else None,
            "" if r.count is not None and r.count >= min_count else SMALL,
        )
        for r in daily
        if since is None or r.day >= since
    ]
    totals: dict[tuple[str, str], int] = defaultdict(int)
    hidden: dict[tuple[str, str], int] = defaultdict(int)
    for r in daily:
        count = r.count or 0
        totals[iso_week(r.day), r.key] += count
        if count < min_count:
            hidden[iso_week(r.day), r.key] += count
    for (week, campaign), total in sorted(totals.items()):
        if total < min_count:
            result.append(CampaignCount(week, "week", campaign, None, SMALL))
        elif 0 < hidden[week, campaign] < min_count:
            result.append(CampaignCount(week, "week", campaign, None, WITHHELD))
        else:
            result.append(CampaignCount(week, "week", campaign, total))
    return result


def render(
    rows: list[StatRow],
    *,
    fmt: Format,
    view: View,
    min_count: int,
    since: dt.date | None = None,
) -> str:
    """The report for unsuppressed ``rows`` in ``fmt``; suppression happens here.

    Rows before ``since`` only count towards the week totals of the campaign view.
    """
    if view == "campaign":
        return _render_campaigns(campaign_counts(rows, min_count, since), fmt, min_count, since)
    shown = [r for r in rows if since is None or r.day >= since]
    return _render_kinds(suppress(shown, min_count), fmt, min_count, since)


def _shown(count: int | None, reason: str, min_count: int) -> str:
    if count is not None:
        return str(count)
    return "withheld" if reason == WITHHELD else f"<{min_count}"


def _render_kinds(rows: list[StatRow], fmt: Format, min_count: int, since: dt.date | None) -> str:
    if fmt == "json":
        return _json(
            min_count,
            since,
            rows=[
                {
                    "day": r.day.isoformat(),
                    "kind": r.kind,
                    "key": r.key,
                    "count": r.count,
                    "suppressed": r.suppressed,
                }
                for r in rows
            ],
        )
    records = [[r.day.isoformat(), r.kind, r.key, _shown(r.count, SMALL, min_count)] for r in rows]
    if fmt == "csv":
        return _csv(["day", "kind", "key", "count"], records)
    shown = [[d, k, key or ("(none)" if k == "start" else "-"), c] for d, k, key, c in records]
    notes = [f"Counts below {min_count} are shown as <{min_count}."]
    return _table(["day", "kind", "key", "count"], shown, notes)


def _render_campaigns(
    counts: list[CampaignCount], fmt: Format, min_count: int, since: dt.date | None
) -> str:
    days = [c for c in counts if c.granularity == "day"]
    weeks = [c for c in counts if c.granularity == "week"]
    if fmt == "json":

        def item(c: CampaignCount) -> dict[str, Any]:
            entry: dict[str, Any] = {
                c.granularity: c.period,
                "campaign": c.campaign,
                "starts": c.starts,
                "suppressed": c.starts is None,
            }
            if c.reason:
                entry["reason"] = c.reason
            return entry

        return _json(min_count, since, days=[item(c) for c in days], weeks=[item(c) for c in weeks])
    records = [
        [c.granularity, c.period, c.campaign, _shown(c.starts, c.reason, min_count)] for c in counts
    ]
    if fmt == "csv":
        return _csv(["granularity", "period", "campaign", "starts"], records)
    notes = [
        f"Counts below {min_count} are shown as <{min_count}.",
        f"'withheld': at least {min_count}, hidden because it {WITHHELD}.",
        "(none): started without a campaign code.",
    ]
    if since:
        notes.append(
            f"Daily counts from {since.isoformat()} on; week totals cover whole ISO weeks."
        )
    sections = []
    for title, group in (
        ("Campaign starts per day", days),
        ("Campaign starts per ISO week", weeks),
    ):
        table = [
            [c.period, c.campaign or "(none)", _shown(c.starts, c.reason, min_count)] for c in group
        ]
        sections.append(f"{title}:\n" + _table(["period", "campaign", "starts"], table, []))
    return "\n".join(sections) + "\n" + "".join(n + "\n" for n in notes)


def _json(min_count: int, since: dt.date | None, **parts: Any) -> str:
    document = {"min_count": min_count, "since": since.isoformat() if since else None, **parts}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _csv(header: list[str], records: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(records)
    return out.getvalue()


def _table(header: list[str], records: list[list[str]], notes: list[str]) -> str:
    if not records:
        return "No counts.\n" + "".join(n + "\n" for n in notes)
    widths = [max(len(row[i]) for row in [header, *records]) for i in range(len(header))]

    def line(row: list[str]) -> str:
        cells = [
            cell.rjust(width) if i == len(row) - 1 else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        return "  ".join(cells).rstrip()

    body = [line(header), line(["-" * w for w in widths]), *(line(r) for r in records)]
    return "\n".join([*body, "", *notes]) + "\n"


async def stats_report(
    database: Path,
    *,
    fmt: Format = "table",
    view: View = "kind",
    min_count: int = 5,
    since: dt.date | None = None,
) -> str:
    """Read the counters from ``database`` and render them; never creates or repairs it.

    Raises :class:`StorageError` when there is no database yet or it cannot be read.
    """
    if not database.is_file():
        raise StorageError(
            f"no data yet: the bot has not run in DATA_DIR={database.parent} "
            f"(there is no {database.name}); set DATA_DIR to the bot's data folder"
        )
    # The campaign view's week totals need the whole first week (see the module's docstring).
    start = week_start(since) if since is not None and view == "campaign" else since
    db = await Database.open(database, recover=False)
    try:
        rows = await Counters(db).rows(start)
    finally:
        await db.close()
    return render(rows, fmt=fmt, view=view, min_count=min_count, since=since)
