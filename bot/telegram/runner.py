"""Run the bot until it is stopped: start-up with retries, polling or webhook, clean stop.

python-telegram-bot's ``run_polling`` and ``run_webhook`` confirm updates to Telegram before
they are handled (see ``polling`` and ``webhook``), so the bot runs its own loop around the
``Application``: python-telegram-bot still builds the bot, the handlers, the rate limiter and
the job queue; only fetching updates and answering the webhook are the bot's own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from typing import TypeVar
from urllib.parse import urlparse

from telegram.error import InvalidToken, NetworkError, RetryAfter
from telegram.ext import Application

from bot.config import Settings
from bot.telegram.backoff import Backoff
from bot.telegram.dispatch import UpdateDispatcher
from bot.telegram.polling import Poller
from bot.telegram.webhook import WebhookServer

logger = logging.getLogger(__name__)
T = TypeVar("T")


async def serve(
    settings: Settings,
    app: Application,  # type: ignore[type-arg]
    dispatcher: UpdateDispatcher,
    allowed_updates: list[str],
) -> None:
    """Start, serve until SIGTERM or SIGINT, then stop cleanly.

    Start-up waits for Telegram for as long as it cannot be reached (growing pauses, up to
    30 s), so an outage at boot is not a crash loop. :class:`InvalidToken` is raised.
    On a stop, no new update is taken; those in progress are finished (and confirmed to
    Telegram, or their webhook requests answered) before the database is closed.
    """
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = [s for s in (signal.SIGTERM, signal.SIGINT) if _on_signal(loop, s, stopping.set)]
    try:
        if not await _until_reached(app.initialize, stopping):
            return
        try:
            assert app.post_init is not None
            await app.post_init(app)
            await app.start()  # the job queue (purge, counters)
            if settings.webhook_url:
                await _serve_webhook(settings, app, dispatcher, allowed_updates, stopping)
            else:
                await _poll(app, dispatcher, allowed_updates, stopping)
            await dispatcher.drain()
        finally:
            if app.running:
                await app.stop()
            if app.post_shutdown is not None:
                await app.post_shutdown(app)
            await app.shutdown()
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)


async def _poll(
    app: Application,  # type: ignore[type-arg]
    dispatcher: UpdateDispatcher,
    allowed_updates: list[str],
    stopping: asyncio.Event,
) -> None:
    # A webhook left from an earlier deployment would make getUpdates fail.
    if not await _until_reached(app.bot.delete_webhook, stopping):
        return
    logger.info("starting long polling")
    await Poller(app.bot, dispatcher.dispatch, allowed_updates=allowed_updates).run(stopping)


async def _serve_webhook(
    settings: Settings,
    app: Application,  # type: ignore[type-arg]
    dispatcher: UpdateDispatcher,
    allowed_updates: list[str],
    stopping: asyncio.Event,
) -> None:
    # Telegram posts to WEBHOOK_URL; the reverse proxy in front of the bot terminates TLS
    # and forwards that path here, over plain HTTP (no certificate needed).
    path = urlparse(settings.webhook_url).path
    server = WebhookServer(
        app.bot, dispatcher.dispatch, path=path, secret_token=settings.webhook_secret_token
    )
    server.listen(settings.webhook_listen, settings.webhook_port)
    logger.info("starting webhook on %s:%d", settings.webhook_listen, settings.webhook_port)
    try:
        registered = await _until_reached(
            lambda: app.bot.set_webhook(
                settings.webhook_url,
                secret_token=settings.webhook_secret_token,
                allowed_updates=allowed_updates,
            ),
            stopping,
        )
        if registered:
            await stopping.wait()
    finally:
        await server.stop(dispatcher.drain)


async def _until_reached(call: Callable[[], Awaitable[object]], stopping: asyncio.Event) -> bool:
    """Call until Telegram answers (``True``) or the bot is stopped first (``False``)."""
    backoff = Backoff()
    while not stopping.is_set():
        try:
            await call()
        except InvalidToken:
            raise
        except RetryAfter as exc:
            retry = exc.retry_after
            pause = float(retry if isinstance(retry, int) else retry.total_seconds())
            await backoff.wait(stopping, pause=pause)
        except NetworkError as exc:  # TimedOut included
            pause = backoff.next_pause()
            logger.warning(
                "Telegram cannot be reached (%s); trying again in %.1f s",
                type(exc).__name__,
                pause,
            )
            await backoff.wait(stopping, pause=pause)
        else:
            return True
    return False


def _on_signal(
    loop: asyncio.AbstractEventLoop, sig: signal.Signals, stop: Callable[[], None]
) -> bool:
    """Install a stop handler for ``sig`` where the platform allows it."""
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        loop.add_signal_handler(sig, stop)
        return True
    return False
