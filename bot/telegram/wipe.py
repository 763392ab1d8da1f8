"""Quick exit: delete the messages of a conversation that Telegram still allows."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable

from telegram import Bot
from telegram.error import Forbidden, TelegramError

logger = logging.getLogger(__name__)

#: Bot API deleteMessages takes 1-100 message ids.
BATCH = 100


async def delete_messages(bot: Bot, chat_id: int, message_ids: Iterable[int]) -> None:
    """Delete these messages: in batches of 100, falling back to one by one.

    Telegram lets bots delete messages (their own and, in private chats, the user's) for 48
    hours; ids it cannot delete are skipped. Failures are not errors for the user: they
    pressed Hide, and whatever can be removed is.
    """
    ids = sorted(set(message_ids))
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        try:
            await bot.delete_messages(chat_id, batch)
            continue
        except Forbidden:
            return  # the user blocked the bot: nothing more can be done
        except TelegramError as exc:
            logger.warning("deleteMessages failed (%s); deleting one by one", type(exc).__name__)
        for message_id in batch:
            # Too old, already gone, or not ours to delete: nothing more can be done.
            with contextlib.suppress(TelegramError):
                await bot.delete_message(chat_id, message_id)
