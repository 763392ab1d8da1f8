"""Per-chat locks: a chat's updates one at a time, other chats concurrently, nothing kept."""

from __future__ import annotations

import asyncio

import pytest

from bot.telegram.chatlocks import ChatLocks


async def test_a_chats_updates_run_one_at_a_time_in_order() -> None:
    locks = ChatLocks()
    log: list[str] = []

    async def update(chat_id: int, name: str) -> None:
        async with locks.take(chat_id):
            log.append(f"{name} in")
            await asyncio.sleep(0.01)
            log.append(f"{name} out")

    await asyncio.gather(update(1, "a"), update(1, "b"), update(1, "c"))
    assert log == ["a in", "a out", "b in", "b out", "c in", "c out"]
    assert len(locks) == 0


async def test_other_chats_do_not_wait() -> None:
    locks = ChatLocks()
    inside = asyncio.Event()
    release = asyncio.Event()

    async def slow() -> None:
        async with locks.take(1):
            inside.set()
            await release.wait()

    task = asyncio.create_task(slow())
    await inside.wait()
    async with locks.take(2):  # would hang if chat 2 waited for chat 1
        assert len(locks) == 2
    release.set()
    await task
    assert len(locks) == 0


async def test_an_error_or_a_cancelled_wait_gives_the_turn_back() -> None:
    locks = ChatLocks()
    with pytest.raises(RuntimeError):
        async with locks.take(7):
            raise RuntimeError("boom")
    assert len(locks) == 0

    holding = asyncio.Event()
    release = asyncio.Event()

    async def holder() -> None:
        async with locks.take(7):
            holding.set()
            await release.wait()

    async def waiter() -> None:
        async with locks.take(7):
            pass

    first = asyncio.create_task(holder())
    await holding.wait()
    second = asyncio.create_task(waiter())
    await asyncio.sleep(0)
    second.cancel()
    with pytest.raises(asyncio.CancelledError):
        await second
    release.set()
    await first
    assert len(locks) == 0
    async with locks.take(7):  # the chat can still be held
        assert len(locks) == 1


async def test_turns_go_in_the_order_they_were_taken_not_the_order_they_start() -> None:
    locks = ChatLocks()
    log: list[int] = []
    turns = [locks.take(1) for _ in range(3)]  # as updates arrive: synchronously, in order

    async def update(i: int) -> None:
        await asyncio.sleep(0.01 * (3 - i))  # the last to arrive is the first to get going
        async with turns[i]:
            log.append(i)
            await asyncio.sleep(0.005)

    await asyncio.gather(update(0), update(1), update(2))
    assert log == [0, 1, 2]
    assert len(locks) == 0


async def test_a_turn_given_up_before_it_was_entered_does_not_block_the_chat() -> None:
    locks = ChatLocks()
    first, dropped, last = locks.take(5), locks.take(5), locks.take(5)
    entered: list[str] = []

    async def run(turn: object, name: str) -> None:
        async with turn:  # type: ignore[attr-defined]
            entered.append(name)

    waiting = asyncio.create_task(run(last, "last"))
    async with first:
        dropped.give_up()
        dropped.give_up()  # idempotent
        await asyncio.sleep(0)
        assert entered == []
    await asyncio.wait_for(waiting, 1)
    assert entered == ["last"]
    assert len(locks) == 0
