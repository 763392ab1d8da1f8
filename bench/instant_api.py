"""A Bot API that answers at once, in-process: python-telegram-bot's HTTP seam, minimal.

``tests/support/fake_telegram.py`` is faithful (it parses HTML, checks limits, keeps every
chat); that work would be counted as the bot's in a benchmark. :class:`InstantBotApi` only
answers what the bot sends with the object Telegram would return, and remembers the last
screen of each chat so the benchmark's users can press its buttons. Both applications of the
per-update benchmark use it, so its small cost is the same on both sides.
"""

from __future__ import annotations

import itertools
import json
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from tests.support.fake_telegram import InProcessRequest

TOKEN = "5550001:BENCHtoken_abcdefghijklmnopqrstuvwxyz01"
BOT = {
    "id": 5550001,
    "is_bot": True,
    "first_name": "Pathways",
    "username": "pathways_bench_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
_TRUE = b'{"ok":true,"result":true}'
_ANSWERED_BY_TRUE = frozenset(
    {
        "answerCallbackQuery",
        "deleteMessage",
        "deleteMessages",
        "setMyCommands",
        "setMyDescription",
        "setMyShortDescription",
        "deleteWebhook",
        "setChatMenuButton",
    }
)


@dataclass(frozen=True)
class Shown:
    """The last screen the bot showed in a chat: its message, text and keyboard."""

    message_id: int
    text: str
    #: (label, callback data) of the keyboard, row by row.
    rows: tuple[tuple[tuple[str, str], ...], ...]

    @classmethod
    def of(cls, message_id: int, params: dict[str, Any]) -> Shown:
        """From the parameters of the sendMessage or editMessageText call."""
        markup = params.get("reply_markup") or {}
        rows = tuple(
            tuple((str(b["text"]), str(b["callback_data"])) for b in row)
            for row in markup.get("inline_keyboard", [])
        )
        return cls(message_id, str(params.get("text", "")), rows)

    @property
    def callback_data(self) -> list[str]:
        """Every button's callback data, in order."""
        return [data for row in self.rows for _, data in row]


class InstantBotApi(InProcessRequest):
    """Answers Bot API calls instantly; counts them per method.

    With ``record``, it keeps the last screen of each chat (see :meth:`shown`): the call's
    parameters as they are, turned into a compact :class:`Shown` only when asked, so the
    timed calls do no extra work and thousands of chats leave little for the garbage
    collector to walk through.
    """

    def __init__(self, *, record: bool = True) -> None:
        self.calls: Counter[str] = Counter()
        self._record = record
        self._last: dict[int, tuple[int, dict[str, Any]]] = {}
        self._shown: dict[int, Shown] = {}
        self._ids = itertools.count(1_000_000)

    def shown(self, chat_id: int) -> Shown:
        """The last screen with buttons shown in the chat."""
        last = self._last.pop(chat_id, None)
        if last is not None:
            self._shown[chat_id] = Shown.of(*last)
        return self._shown[chat_id]

    async def answer(self, api_method: str, params: dict[str, Any]) -> tuple[int, bytes]:
        """The answer Telegram would give, as (HTTP status, body)."""
        api = api_method
        self.calls[api] += 1
        if api in _ANSWERED_BY_TRUE:
            return 200, _TRUE
        if api in ("sendMessage", "editMessageText"):
            chat_id = int(params["chat_id"])
            message_id = int(params["message_id"]) if api == "editMessageText" else next(self._ids)
            if self._record and params.get("reply_markup"):
                self._last[chat_id] = (message_id, params)
            return 200, _result(_message(chat_id, message_id, params))
        if api == "getMe":
            return 200, _result(BOT)
        return 404, b'{"ok":false,"error_code":404,"description":"Not Found"}'


def _message(chat_id: int, message_id: int, params: dict[str, Any]) -> dict[str, Any]:
    now = int(time.time())
    message: dict[str, Any] = {
        "message_id": message_id,
        "date": now,
        "chat": {"id": chat_id, "type": "private", "first_name": "User"},
        "from": BOT,
        "text": params.get("text", ""),
    }
    if params.get("reply_markup"):
        message["reply_markup"] = params["reply_markup"]
    return message


def _result(value: object) -> bytes:
    return json.dumps({"ok": True, "result": value}).encode()


def user(chat_id: int, language_code: str = "en") -> dict[str, Any]:
    """A Telegram user (private chat id = user id)."""
    return {"id": chat_id, "is_bot": False, "first_name": "User", "language_code": language_code}


def start_update(update_id: int, chat_id: int) -> dict[str, Any]:
    """The update of a user sending ``/start``."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "User"},
            "from": user(chat_id),
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


def press_update(update_id: int, chat_id: int, message_id: int, data: str) -> dict[str, Any]:
    """The update of a user pressing a button with callback ``data`` under ``message_id``."""
    return {
        "update_id": update_id,
        "callback_query": {
            "id": str(update_id),
            "from": user(chat_id),
            "chat_instance": str(chat_id),
            "data": data,
            "message": {
                "message_id": message_id,
                # A message with date 0 is "inaccessible" to python-telegram-bot.
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private", "first_name": "User"},
                "from": BOT,
                "text": "…",
            },
        },
    }
