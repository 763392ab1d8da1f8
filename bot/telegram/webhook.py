"""The webhook: Telegram's requests answered only once their update was handled.

python-telegram-bot's webhook server answers 200 as soon as an update is queued. Telegram
then never sends it again, so a crash before it was handled lost the person's press. Here
the request is answered when the update has been handled; if the bot dies first, Telegram
gets no answer and delivers the update again (a repeated press only re-draws its screen,
thanks to the nonce on every button). Handling takes well under Telegram's time-out: every
Bot API call the handler makes has its own time-outs and at most three tries.

Only POSTs to the webhook's path with Telegram's secret-token header are taken; anything
else gets a short status and is never processed. Tornado's access log is off: it would log
the caller's IP address.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Callable
from typing import Any

import tornado.httpserver
import tornado.web
from telegram import Bot, Update

logger = logging.getLogger(__name__)

#: Telegram's header carrying the secret token given to ``setWebhook``.
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
#: Larger bodies are refused before they are read: an update is a few kilobytes.
MAX_BODY = 1 << 20


class WebhookServer:
    """An HTTP server on ``listen:port`` taking Telegram's updates at ``path``."""

    def __init__(
        self,
        bot: Bot,
        dispatch: Callable[[Update], asyncio.Task[None]],
        *,
        path: str,
        secret_token: str,
    ) -> None:
        """Updates posted to ``path`` with ``secret_token`` go to ``dispatch``."""
        self.bot = bot
        self.dispatch = dispatch
        self.secret_token = secret_token
        #: Requests being answered, so a stop can let them finish.
        self.answering = 0
        app = tornado.web.Application(
            [(f"/{path.strip('/')}", _UpdateHandler, {"server": self})],
            log_function=_no_access_log,
            default_handler_class=_NotFound,
        )
        self._http = tornado.httpserver.HTTPServer(app, max_body_size=MAX_BODY)

    def authorised(self, token: str | None) -> bool:
        """Whether a request carries Telegram's secret token (compared in constant time)."""
        return token is not None and hmac.compare_digest(token.encode(), self.secret_token.encode())

    def listen(self, address: str, port: int) -> None:
        """Start accepting requests."""
        self._http.listen(port, address)

    async def stop(self, drain: Callable[[], Any]) -> None:
        """Take no new requests, let the updates in progress finish (``await drain()``), let
        their answers go out, then close every connection."""
        self._http.stop()
        await drain()
        while self.answering:
            await asyncio.sleep(0.01)
        await self._http.close_all_connections()


def _no_access_log(handler: tornado.web.RequestHandler) -> None:
    """Tornado's access log names the client's address: never written."""


class _NotFound(tornado.web.RequestHandler):
    def prepare(self) -> None:
        raise tornado.web.HTTPError(404)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.finish()


class _UpdateHandler(tornado.web.RequestHandler):
    """POST one update; 200 once handled, 403 without the token, 400 if it is not one."""

    SUPPORTED_METHODS = ("POST",)

    def initialize(self, server: WebhookServer) -> None:
        self.server = server

    async def post(self) -> None:
        if not self.server.authorised(self.request.headers.get(SECRET_HEADER)):
            raise tornado.web.HTTPError(403)
        try:
            update = Update.de_json(json.loads(self.request.body), self.server.bot)
        except (ValueError, TypeError, KeyError, AttributeError):
            update = None
        if update is None:
            raise tornado.web.HTTPError(400)
        self.server.answering += 1
        try:
            # Shielded: a client that hangs up does not cancel the handling.
            await asyncio.shield(self.server.dispatch(update))
            self.set_status(200)
            await self.finish()  # written out before a stop may close the connection
        finally:
            self.server.answering -= 1

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        # A bare status: no traceback or request details go back to the caller.
        self.finish()

    def log_exception(self, *args: Any) -> None:
        # HTTPErrors are answers, not errors; anything else is logged by kind only.
        if args and isinstance(args[1], tornado.web.HTTPError):
            return
        if args:
            logger.error("webhook request failed", exc_info=(args[0], args[1], None))
