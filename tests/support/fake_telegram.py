"""A fake Telegram Bot API: enough of it, faithful to the documentation, to test the bot.

:class:`FakeTelegram` holds the state (chats, messages, pending updates, recorded calls)
and answers Bot API methods as https://core.telegram.org/bots/api describes them, including
their errors ("message is not modified", "message to edit not found", 429 with
``retry_after``, limits on text and callback data, HTML entity parsing). It is used

* in-process, through :class:`FakeRequest` (a python-telegram-bot ``BaseRequest``), and
* over HTTP, through :class:`FakeBotApiServer` on 127.0.0.1, for end-to-end tests of the
  real ``python -m bot run`` process.

For failure drills it can be told to fail: any error answer for chosen calls (``fail``: 429
with ``retry_after``, 500, ...), slow answers (``slow``: the call is carried out late, as
Telegram does when it is overloaded, so a client that gave up may still have had its
message sent), and, over HTTP, going away and coming back on the same port.
"""

from __future__ import annotations

import asyncio
import html
import html.parser
import itertools
import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from telegram.request import BaseRequest, RequestData

BOT_ID = 5550001
BOT_USERNAME = "pathways_test_bot"
TOKEN = "5550001:TESTtoken_abcdefghijklmnopqrstuvwxyz012"
ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "tg-spoiler",
    "span",
    "blockquote",
    "tg-emoji",
}


class ApiError(Exception):
    """A Bot API error answer."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


class _EntityParser(html.parser.HTMLParser):
    """Checks Telegram's HTML subset and measures the text left after parsing entities."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []
        self.error = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.error = f'Unsupported start tag "{tag}"'
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.error = f'Unmatched end tag "{tag}"'

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(text: str) -> str:
    """The plain text of Telegram HTML; raises ApiError as the Bot API does."""
    parser = _EntityParser()
    parser.feed(text)
    parser.close()
    if parser.error or parser.stack:
        raise ApiError(400, f"Bad Request: can't parse entities: {parser.error or 'unclosed tag'}")
    return html.unescape("".join(parser.text))


@dataclass
class Message:
    """A message in the fake chat."""

    message_id: int
    chat_id: int
    from_bot: bool
    text: str | None
    date: int
    html: str = ""
    reply_markup: dict[str, Any] | None = None
    kind: str = "text"

    def to_api(self, users: dict[int, dict[str, Any]]) -> dict[str, Any]:
        """The message as the Bot API serialises it."""
        sender = bot_user() if self.from_bot else users[self.chat_id]
        data: dict[str, Any] = {
            "message_id": self.message_id,
            "date": self.date,
            "chat": {
                "id": self.chat_id,
                "type": "private",
                "first_name": users[self.chat_id]["first_name"],
            },
            "from": sender,
        }
        if self.kind == "text":
            data["text"] = self.text
            if self.text and self.text.startswith("/"):
                command = self.text.split()[0]
                data["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        elif self.kind == "photo":
            data["photo"] = [
                {"file_id": "AgAD", "file_unique_id": "AQAD", "width": 90, "height": 90}
            ]
        elif self.kind == "sticker":
            data["sticker"] = {
                "file_id": "CAAD",
                "file_unique_id": "AgAD",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
            }
        elif self.kind == "location":
            data["location"] = {"latitude": 44.8, "longitude": 20.4}
        elif self.kind == "contact":
            data["contact"] = {"phone_number": "+381601234567", "first_name": "Someone"}
        elif self.kind == "voice":
            data["voice"] = {"file_id": "AwAD", "file_unique_id": "AgAD", "duration": 3}
        if self.reply_markup:
            data["reply_markup"] = self.reply_markup
        return data


def bot_user() -> dict[str, Any]:
    """The bot as a User object."""
    return {
        "id": BOT_ID,
        "is_bot": True,
        "first_name": "Pathways",
        "username": BOT_USERNAME,
        "can_join_groups": False,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
    }


@dataclass
class Call:
    """A recorded Bot API call."""

    method: str
    params: dict[str, Any]
    ok: bool = True


@dataclass
class FakeTelegram:
    """The state and behaviour of a fake Bot API server."""

    clock: Callable[[], float] = time.time
    messages: dict[int, dict[int, Message]] = field(default_factory=dict)
    users: dict[int, dict[str, Any]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    answered_queries: set[str] = field(default_factory=set)
    #: Every callback query id sent to the bot, to check that each was answered.
    sent_queries: list[str] = field(default_factory=list)
    commands: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    descriptions: dict[tuple[str, str], str] = field(default_factory=dict)
    #: Failures to inject: (method or "*", predicate on call number) → error.
    failures: list[tuple[str, Callable[[int], bool], ApiError]] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _update_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _query_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Condition = field(default_factory=threading.Condition)
    _method_counts: dict[str, int] = field(default_factory=dict)
    #: Slow answers to inject: (method or "*", predicate on call number) → seconds.
    delays: list[tuple[str, Callable[[int], bool], float | Callable[[], float]]] = field(
        default_factory=list
    )
    #: Methods in the order their calls arrived (before any delay), getUpdates excluded.
    arrived: list[str] = field(default_factory=list)
    _arrival_counts: dict[str, int] = field(default_factory=dict)

    # -- the user's side ------------------------------------------------------------------

    def add_user(
        self, chat_id: int, first_name: str = "Test", username: str = "", language_code: str = "en"
    ) -> None:
        """Register a private chat with a user."""
        user: dict[str, Any] = {
            "id": chat_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": language_code,
        }
        if username:
            user["username"] = username
        self.users[chat_id] = user
        self.messages.setdefault(chat_id, {})

    def _push(self, update: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            update["update_id"] = next(self._update_ids)
            self.updates.append(update)
            self._lock.notify_all()
        return update

    def user_sends(self, chat_id: int, text: str = "", kind: str = "text") -> dict[str, Any]:
        """The user sends a message; returns the update (also queued for getUpdates)."""
        if chat_id not in self.users:
            self.add_user(chat_id)
        with self._lock:
            message = Message(
                next(self._ids),
                chat_id,
                False,
                text if kind == "text" else None,
                int(self.clock()),
                kind=kind,
            )
            self.messages[chat_id][message.message_id] = message
        return self._push({"message": message.to_api(self.users)})

    def user_clicks(self, chat_id: int, message_id: int, data: str) -> dict[str, Any]:
        """The user presses a button with callback ``data`` under ``message_id``."""
        with self._lock:
            message = self.messages[chat_id].get(message_id)
            query_id = str(next(self._query_ids))
            self.sent_queries.append(query_id)
            query: dict[str, Any] = {
                "id": query_id,
                "from": self.users[chat_id],
                "chat_instance": str(chat_id * 7),
                "data": data,
            }
            if message is not None:
                query["message"] = message.to_api(self.users)
            else:
                query["message"] = {
                    "message_id": message_id,
                    "date": 0,
                    "chat": {"id": chat_id, "type": "private"},
                }
        return self._push({"callback_query": query})

    def bot_messages(self, chat_id: int) -> list[Message]:
        """The bot's messages still in the chat, oldest first."""
        return [m for m in self.messages.get(chat_id, {}).values() if m.from_bot]

    def all_messages(self, chat_id: int) -> list[Message]:
        """Every message still in the chat, oldest first."""
        return list(self.messages.get(chat_id, {}).values())

    def last_bot_message(self, chat_id: int) -> Message:
        """The newest message of the bot in the chat."""
        found = self.bot_messages(chat_id)
        assert found, "the bot has sent nothing"
        return found[-1]

    def calls_to(self, method: str) -> list[Call]:
        """Recorded calls of one method."""
        return [c for c in self.calls if c.method == method]

    def fail(
        self, method: str, error: ApiError, when: Callable[[int], bool] = lambda n: True
    ) -> None:
        """Make calls of ``method`` ("*" for all) fail with ``error`` when ``when(call_number)``."""
        self.failures.append((method, when, error))

    def slow(
        self,
        method: str,
        seconds: float | Callable[[], float],
        when: Callable[[int], bool] = lambda n: True,
    ) -> None:
        """Make calls of ``method`` ("*" for all but getUpdates) wait ``seconds`` (or what
        ``seconds()`` draws, call by call) before being carried out, when
        ``when(call_number)``; a client that stops waiting does not stop it."""
        self.delays.append((method, when, seconds))

    def pause_for(self, method: str) -> float:
        """Record that a call arrived; how long to wait before carrying it out."""
        with self._lock:
            if method == "getUpdates":
                return 0.0
            self.arrived.append(method)
            number = self._arrival_counts.get(method, 0) + 1
            self._arrival_counts[method] = number
            return sum(
                seconds() if callable(seconds) else seconds
                for name, when, seconds in self.delays
                if name in (method, "*") and when(number)
            )

    def count(self, method: str) -> int:
        """How many calls of ``method`` were answered so far (getUpdates included)."""
        with self._lock:
            return self._method_counts.get(method, 0)

    def confirm(self, offset: int) -> None:
        """Forget updates below ``offset``: Telegram does so as soon as getUpdates asks."""
        with self._lock:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]

    def answers_per_query(self) -> Counter[str]:
        """How many times each callback query was answered successfully."""
        return Counter(
            str(c.params.get("callback_query_id"))
            for c in self.calls_to("answerCallbackQuery")
            if c.ok
        )

    # -- the Bot API ----------------------------------------------------------------------

    def handle(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Answer one Bot API call as (HTTP status, JSON body)."""
        with self._lock:
            number = self._method_counts.get(method, 0) + 1
            self._method_counts[method] = number
            try:
                for name, when, error in self.failures:
                    # "*" spares getUpdates; naming it fails it too.
                    matches = name == method or (name == "*" and method != "getUpdates")
                    if matches and when(number):
                        raise error
                handler = getattr(self, f"api_{method}", None)
                if handler is None:
                    raise ApiError(404, "Not Found")
                result = handler(params)
            except ApiError as exc:
                self.calls.append(Call(method, params, ok=False))
                body: dict[str, Any] = {
                    "ok": False,
                    "error_code": exc.code,
                    "description": exc.description,
                }
                if exc.retry_after is not None:
                    body["parameters"] = {"retry_after": exc.retry_after}
                return exc.code, body
            if method != "getUpdates":
                self.calls.append(Call(method, params))
            return 200, {"ok": True, "result": result}

    def _chat(self, params: dict[str, Any]) -> int:
        try:
            chat_id = int(params["chat_id"])
        except (KeyError, ValueError, TypeError):
            raise ApiError(400, "Bad Request: chat_id is empty") from None
        if chat_id not in self.users:
            raise ApiError(400, "Bad Request: chat not found")
        if self.users[chat_id].get("blocked"):
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat_id

    @staticmethod
    def _markup(params: dict[str, Any]) -> dict[str, Any] | None:
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if isinstance(markup, str):
            markup = json.loads(markup)
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                if not button.get("text"):
                    raise ApiError(
                        400, "Bad Request: text buttons are unallowed in the inline keyboard"
                    )
        return dict(markup)

    @staticmethod
    def _text(params: dict[str, Any]) -> tuple[str, str]:
        raw = str(params.get("text", ""))
        plain = parse_html(raw) if params.get("parse_mode") == "HTML" else raw
        if not plain.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(plain) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        return plain, raw

    def api_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return bot_user()

    def api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat(params)
        plain, raw = self._text(params)
        message = Message(
            next(self._ids), chat_id, True, plain, int(self.clock()), raw, self._markup(params)
        )
        self.messages[chat_id][message.message_id] = message
        return message.to_api(self.users)

    def api_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat(params)
        message = self.messages[chat_id].get(int(params.get("message_id", 0)))
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if not message.from_bot:
            raise ApiError(400, "Bad Request: message can't be edited")
        if self.clock() - message.date > 48 * 3600:
            raise ApiError(400, "Bad Request: message can't be edited")
        plain, raw = self._text(params)
        markup = self._markup(params)
        if plain == message.text and markup == message.reply_markup:
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
            )
        message.text, message.html, message.reply_markup = plain, raw, markup
        return message.to_api(self.users)

    def api_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if not query_id or query_id in self.answered_queries:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        self.answered_queries.add(query_id)
        return True

    def _deletable(self, chat_id: int, message_id: int) -> Message | None:
        message = self.messages[chat_id].get(message_id)
        if message is None or self.clock() - message.date > 48 * 3600:
            return None
        return message

    def api_deleteMessage(self, params: dict[str, Any]) -> bool:
        chat_id = self._chat(params)
        message_id = int(params.get("message_id", 0))
        if self._deletable(chat_id, message_id) is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        del self.messages[chat_id][message_id]
        return True

    def api_deleteMessages(self, params: dict[str, Any]) -> bool:
        chat_id = self._chat(params)
        ids = params.get("message_ids")
        if isinstance(ids, str):
            ids = json.loads(ids)
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise ApiError(400, "Bad Request: message_ids must contain 1-100 identifiers")
        # As documented: messages that can't be found or deleted are skipped.
        for message_id in ids:
            if self._deletable(chat_id, int(message_id)) is not None:
                del self.messages[chat_id][int(message_id)]
        return True

    def api_setMyCommands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if isinstance(commands, str):
            commands = json.loads(commands)
        assert isinstance(commands, list) and 0 < len(commands) <= 100
        for command in commands:
            if not (1 <= len(command["command"]) <= 32 and 1 <= len(command["description"]) <= 256):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        self.commands[str(params.get("language_code", ""))] = commands
        return True

    def _description(self, params: dict[str, Any], key: str, limit: int) -> bool:
        text = str(params.get(key, ""))
        if len(text) > limit:
            raise ApiError(400, f"Bad Request: {key} is too long")
        self.descriptions[(key, str(params.get("language_code", "")))] = text
        return True

    def api_setMyDescription(self, params: dict[str, Any]) -> bool:
        return self._description(params, "description", 512)

    def api_setMyShortDescription(self, params: dict[str, Any]) -> bool:
        return self._description(params, "short_description", 120)

    def api_deleteWebhook(self, params: dict[str, Any]) -> bool:
        return True

    def api_setWebhook(self, params: dict[str, Any]) -> bool:
        return True

    def api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset", 0) or 0)
        limit = int(params.get("limit", 100) or 100)
        # Confirmed updates (below the offset) are forgotten, as Telegram does.
        self.updates = [u for u in self.updates if u["update_id"] >= offset]
        return self.updates[:limit]

    def wait_for_updates(self, offset: int, timeout: float) -> None:
        """Block (HTTP server only) until an update at or after ``offset`` exists."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while not any(u["update_id"] >= offset for u in self.updates):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                self._lock.wait(remaining)


class InProcessRequest(BaseRequest):
    """python-telegram-bot's HTTP seam, answered in-process: subclasses give :meth:`answer`.

    Shared by :class:`FakeRequest` and the benchmarks' instant Bot API.
    """

    @property
    def read_timeout(self) -> float | None:
        """Nothing is read from a network."""
        return 1.0

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        """Answer the call; parameters arrive exactly as python-telegram-bot sends them."""
        params: dict[str, Any] = dict(request_data.parameters) if request_data is not None else {}
        return await self.answer(url.rsplit("/", 1)[-1], params)

    async def answer(self, api_method: str, params: dict[str, Any]) -> tuple[int, bytes]:
        """The (HTTP status, body) Telegram would give for ``api_method``."""
        raise NotImplementedError


class FakeRequest(InProcessRequest):
    """The seam answered by a :class:`FakeTelegram`."""

    def __init__(self, telegram: FakeTelegram) -> None:
        self.telegram = telegram

    async def answer(self, api_method: str, params: dict[str, Any]) -> tuple[int, bytes]:
        """Answer as the fake Telegram does, after its pause for the method (if any)."""
        if api_method == "getUpdates":
            await self._long_poll(params)
        pause = self.telegram.pause_for(api_method)
        if pause:
            await asyncio.sleep(pause)
        status, body = self.telegram.handle(api_method, params)
        return status, json.dumps(body).encode()

    async def _long_poll(self, params: dict[str, Any]) -> None:
        """Wait, as Telegram does, up to ``timeout`` (at most 2 s) for an update at or after
        ``offset``: without it, an in-process poller would spin."""
        offset = int(params.get("offset", 0) or 0)
        self.telegram.confirm(offset)
        deadline = time.monotonic() + min(float(params.get("timeout", 0) or 0), 2.0)
        while time.monotonic() < deadline:
            if any(u["update_id"] >= offset for u in self.telegram.updates):
                return
            await asyncio.sleep(0.005)


def _form_value(value: str) -> Any:
    # Form fields carry JSON for objects and arrays and plain text for strings.
    if value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class FakeBotApiServer:
    """The fake Bot API over real HTTP on 127.0.0.1, for the bot process to talk to."""

    def __init__(self, telegram: FakeTelegram | None = None, token: str = TOKEN) -> None:
        self.telegram = telegram or FakeTelegram()
        self.token = token
        #: While set, every request (also one already waiting) ends without an answer.
        self.away = False
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet: tests read the bot's logs, not ours

            def do_GET(self) -> None:
                self.do_POST()

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                if outer.away:
                    return  # the connection closes with no answer
                prefix = f"/bot{outer.token}/"
                if not self.path.startswith(prefix):
                    self._reply(
                        401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
                    )
                    return
                method = self.path[len(prefix) :].split("?")[0]
                ctype = self.headers.get("Content-Type", "")
                params: dict[str, Any]
                if "json" in ctype:
                    params = json.loads(raw or b"{}")
                else:
                    params = {
                        k: _form_value(v)
                        for k, v in parse_qsl(raw.decode(), keep_blank_values=True)
                    }
                if method == "getUpdates":
                    offset = int(params.get("offset", 0) or 0)
                    outer.telegram.confirm(offset)
                    timeout = float(params.get("timeout", 0) or 0)
                    outer.telegram.wait_for_updates(offset, min(timeout, 2.0))
                else:
                    time.sleep(outer.telegram.pause_for(method))
                if outer.gone():  # went away while this request waited
                    return
                status, body = outer.telegram.handle(method, params)
                self._reply(status, body)

            def _reply(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._handler = Handler
        self.server = self._new_server(0)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _new_server(self, port: int) -> ThreadingHTTPServer:
        server = _QuietServer(("127.0.0.1", port), self._handler)
        server.daemon_threads = True
        return server

    def gone(self) -> bool:
        """Whether the server has gone away (see :meth:`go_away`)."""
        return self.away

    def go_away(self) -> None:
        """Stop answering: close the port, and drop requests already waiting."""
        self.away = True
        self.server.shutdown()
        self.server.server_close()

    def come_back(self) -> None:
        """Answer again, on the same port."""
        port = int(self.server.server_address[1])
        self.server = self._new_server(port)
        self.away = False
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        """The value for TELEGRAM_API_URL."""
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/bot"

    def __enter__(self) -> FakeBotApiServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if not self.away:
            self.server.shutdown()
            self.server.server_close()


class _QuietServer(ThreadingHTTPServer):
    """Does not print a traceback when a client hangs up before its answer (the bot
    cancels a long poll when it stops, and gives up on slow answers)."""

    # Every call is a new connection (HTTP/1.0). Under load (bench/load_test.py: 200 users
    # at once) the default listen backlog of 5 overflows and connections are reset, which
    # Telegram's servers never do to a bot.
    request_queue_size = 256

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass
