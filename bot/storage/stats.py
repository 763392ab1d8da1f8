"""Anonymous counters: how often something happened per day, and nothing else.

A tally (from the engine: a start by campaign, a language chosen, a node reached, a pathway
shown, Help now opened, a quick exit) only ever adds to the day's total for its kind and key.
There are no per-user rows, no times finer than a day, and no order: the table's key is
(day, kind, key), so it cannot tell which counts rose together. Exports hide small counts
(:func:`suppress`), because "2 people from this campaign" may point at someone.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from bot.engine.screens import Tally
from bot.storage.db import Database
from bot.storage.sessions import utc_now

#: Kinds and keys are short codes; longer ones are cut, so a counter can never carry text.
MAX_KIND = 32
MAX_KEY = 64
#: Rows per INSERT statement (well under SQLite's limit on parameters).
_CHUNK = 200


@dataclass(frozen=True)
class StatRow:
    """One day's count for a kind and key; ``count`` is ``None`` when suppressed."""

    day: dt.date
    kind: str
    key: str
    count: int | None

    @property
    def suppressed(self) -> bool:
        """Whether the count is hidden because it is small."""
        return self.count is None


class Counters:
    """Per-day anonymous aggregates in the ``counters`` table.

    With ``buffered``, :meth:`add` only adds in memory and :meth:`flush` writes every count
    gathered so far in one statement; the bot flushes every minute and when it stops, so an
    update costs one database write (its session), not two. A crash loses at most the
    counts since the last flush: they are statistics, not anyone's data. Counts are kept by
    the day they happened, so a flush after midnight still adds them to the right day.
    """

    def __init__(
        self, db: Database, clock: Callable[[], dt.datetime] = utc_now, *, buffered: bool = False
    ) -> None:
        """Count in ``db``; ``clock`` gives the current time (its UTC date is the day)."""
        self._db = db
        self._clock = clock
        self._buffered = buffered
        #: Counts not written yet, by (day, kind, key).
        self._pending: Counter[tuple[str, str, str]] = Counter()

    def _today(self) -> str:
        return self._clock().astimezone(dt.UTC).date().isoformat()

    async def add(self, tallies: Iterable[Tally]) -> None:
        """Add one to today's count of each tally's (kind, key); one atomic statement, or
        (buffered) nothing written until :meth:`flush`."""
        # Buffered, the counts go straight into the pending ones (this runs on every update).
        counts = self._pending if self._buffered else Counter[tuple[str, str, str]]()
        day = ""
        for tally in tallies:
            day = day or self._today()
            counts[day, tally.kind[:MAX_KIND], tally.key[:MAX_KEY]] += 1
        if counts is not self._pending:
            await self._write(counts)

    async def flush(self) -> None:
        """Write the buffered counts; on failure they stay buffered for the next flush."""
        pending, self._pending = self._pending, Counter()
        try:
            await self._write(pending)
        except BaseException:
            self._pending.update(pending)
            raise

    async def _write(self, counts: Counter[tuple[str, str, str]]) -> None:
        """Add ``counts`` to the table in one statement (one transaction if very many)."""
        items = sorted(counts.items())
        if not items:
            return
        statements = []
        for start in range(0, len(items), _CHUNK):
            chunk = items[start : start + _CHUNK]
            values = ", ".join(["(?, ?, ?, ?)"] * len(chunk))
            params = [v for (day, kind, key), n in chunk for v in (day, kind, key, n)]
            statements.append(
                (
                    f"INSERT INTO counters (day, kind, key, count) VALUES {values} "
                    "ON CONFLICT (day, kind, key) DO UPDATE SET count = count + excluded.count",
                    params,
                )
            )
        if len(statements) == 1:
            await self._db.write(*statements[0])
        else:
            await self._db.transaction(statements)

    async def rows(self, since: dt.date | None = None) -> list[StatRow]:
        """Every count from ``since`` on (all if ``None``), by day, kind and key."""
        await self.flush()
        found = await self._db.fetchall(
            "SELECT day, kind, key, count FROM counters WHERE day >= ? ORDER BY day, kind, key",
            ((since or dt.date.min).isoformat(),),
        )
        return [
            StatRow(dt.date.fromisoformat(day), kind, key, count) for day, kind, key, count in found
        ]


def suppress(rows: Iterable[StatRow], min_count: int) -> list[StatRow]:
    """``rows`` with every count below ``min_count`` replaced by ``None`` (suppressed)."""
    return [
        replace(row, count=None) if row.count is not None and row.count < min_count else row
        for row in rows
    ]
