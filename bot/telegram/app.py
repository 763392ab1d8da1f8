"""Build and run the python-telegram-bot Application."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gc
import logging

from telegram import Update
from telegram.error import InvalidToken
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.config import Settings
from bot.content.model import Content
from bot.engine.screens import Tally
from bot.engine.translator import Translator
from bot.loading import load_pair
from bot.logs import ErrorCounter
from bot.reload import ContentReloader
from bot.storage.db import Database, StorageError
from bot.storage.keys import ChatKeyer, load_or_create_secret
from bot.storage.sessions import SessionStore
from bot.storage.stats import Counters
from bot.telegram.commands import publish_commands
from bot.telegram.dispatch import UpdateDispatcher
from bot.telegram.handlers import Conversations
from bot.telegram.runner import serve

logger = logging.getLogger(__name__)

#: Only what the bot handles, so Telegram sends nothing else.
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
PURGE_EVERY = dt.timedelta(hours=1)
#: How often the error counts are added to the anonymous counters (and at every stop).
ERRORS_EVERY = dt.timedelta(minutes=1)
#: How often the anonymous counters gathered in memory are written (and at every stop).
COUNTS_EVERY = dt.timedelta(minutes=1)
#: The counters' kind for errors; the key is the error's kind (see bot.logs.ErrorCounter).
ERROR_KIND = "error"
#: With ``run --reload``, how often the content and locales folders are checked for changes.
WATCH_EVERY = 2.0
#: Without it, only SIGHUP reloads; the folders are still looked at once a day.
SIGHUP_ONLY = 24 * 3600.0


def register_handlers(app: Application, conversations: Conversations) -> None:  # type: ignore[type-arg]
    """Route updates: commands, buttons, text, anything else; one error handler."""
    new_messages = filters.UpdateType.MESSAGE  # edits of old messages are ignored
    # Group -1 runs first: a flooding chat's excess updates stop there.
    app.add_handler(TypeHandler(Update, conversations.on_any), group=-1)
    app.add_handler(CommandHandler("start", conversations.on_start, filters=new_messages))
    app.add_handler(MessageHandler(new_messages & filters.COMMAND, conversations.on_command))
    app.add_handler(CallbackQueryHandler(conversations.on_callback))
    app.add_handler(MessageHandler(new_messages & filters.TEXT, conversations.on_text))
    app.add_handler(MessageHandler(new_messages, conversations.on_other))
    app.add_error_handler(conversations.on_error)


class Runtime:
    """What the application opens at start and closes at stop: the database, and the
    count of errors by kind that ``python -m bot health`` shows."""

    def __init__(self, settings: Settings, conversations: Conversations) -> None:
        self.settings = settings
        self.conversations = conversations
        self.database: Database | None = None
        self.errors = ErrorCounter()
        #: Reloads the content on SIGHUP (and on changes with ``run --reload``), if set.
        self.reloader: ContentReloader | None = None
        self._reloading: asyncio.Task[None] | None = None
        #: Takes each update's turn on its chat as it arrives (set by build_application).
        self.dispatcher: UpdateDispatcher

    async def start(self, app: Application) -> None:  # type: ignore[type-arg]
        """Open storage, purge what expired while we were down, publish commands."""
        logging.getLogger().addHandler(self.errors)
        secret = load_or_create_secret(self.settings)
        self.database = await Database.open(self.settings.database_path)
        sessions = SessionStore(self.database, ChatKeyer(secret), self.settings.session_ttl)
        # Buffered: an update writes only its session; counts are written once a minute.
        self.conversations.attach(sessions, Counters(self.database, buffered=True))
        purged = await sessions.purge_expired()
        logger.info("storage open; %d expired session(s) purged", purged)
        if app.job_queue is not None:
            app.job_queue.run_repeating(self._purge, interval=PURGE_EVERY, first=PURGE_EVERY)
            app.job_queue.run_repeating(
                self._save_errors, interval=ERRORS_EVERY, first=ERRORS_EVERY
            )
            app.job_queue.run_repeating(
                self._flush_counts, interval=COUNTS_EVERY, first=COUNTS_EVERY
            )
        await publish_commands(app.bot, self.conversations.translator)
        if self.reloader is not None:
            self._reloading = asyncio.create_task(self.reloader.run(), name="content reloader")
        # Content, catalogs and python-telegram-bot's own objects live as long as the process:
        # left out of garbage collection, a full collection walks only what updates created,
        # instead of pausing whichever update triggers it for a tenth of a second or more.
        gc.freeze()

    async def save_errors(self) -> None:
        """Add the errors counted since last time to today's anonymous counters."""
        counts = self.errors.take()
        if not counts or self.conversations.counters is None:
            self.errors.give_back(counts)
            return
        try:
            await self.conversations.counters.add(
                Tally(ERROR_KIND, kind) for kind, n in counts.items() for _ in range(n)
            )
        except StorageError as exc:
            # A warning, not an error: an error would be counted, and fail again.
            self.errors.give_back(counts)
            logger.warning("could not save the error counts (%s)", type(exc).__name__)

    async def _save_errors(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.save_errors()

    async def flush_counts(self) -> None:
        """Write the anonymous counts gathered in memory (kept for later if that fails)."""
        if self.conversations.counters is None:
            return
        try:
            await self.conversations.counters.flush()
        except StorageError as exc:
            logger.warning("could not save the counters (%s)", type(exc).__name__)

    async def _flush_counts(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.flush_counts()

    async def _purge(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        if self.conversations.sessions is not None:
            purged = await self.conversations.sessions.purge_expired()
            logger.info("%d expired session(s) purged", purged)

    async def stop(self, app: Application) -> None:  # type: ignore[type-arg]
        """Save the error counts and close the database cleanly (checkpointing the WAL)."""
        if self._reloading is not None:
            self._reloading.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reloading
            self._reloading = None
        await self.save_errors()
        await self.flush_counts()
        logging.getLogger().removeHandler(self.errors)
        if self.database is not None:
            await self.database.close()
            self.database = None
            logger.info("storage closed")


def build_application(
    settings: Settings,
    content: Content,
    translator: Translator,
    *,
    request: BaseRequest | None = None,
) -> tuple[Application, Runtime]:  # type: ignore[type-arg]
    """The Application with handlers, rate limiting and storage lifecycle hooks."""
    conversations = Conversations(content, translator)
    runtime = Runtime(settings, conversations)
    builder: ApplicationBuilder = (  # type: ignore[type-arg]
        Application.builder()
        .token(settings.telegram_token)
        .rate_limiter(AIORateLimiter(overall_max_rate=settings.rate_limit, max_retries=3))
        .post_init(runtime.start)
        .post_shutdown(runtime.stop)
    )
    if settings.telegram_api_url:
        base = settings.telegram_api_url
        builder = builder.base_url(base).base_file_url(base.replace("/bot", "/file/bot", 1))
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    app = builder.build()
    register_handlers(app, conversations)
    runtime.dispatcher = UpdateDispatcher(app, conversations.chat_locks)
    return app, runtime


def content_reloader(
    settings: Settings,
    app: Application,  # type: ignore[type-arg]
    conversations: Conversations,
    loaded: tuple[Content, Translator],
    *,
    watch: bool,
) -> ContentReloader:
    """A reloader that swaps the conversations' content and translator for new good ones.

    A broken change is logged with its ``file:line`` errors and the old pair keeps serving.
    ``loaded`` is the pair already loaded at start (so it is not loaded twice).
    """
    first = [loaded]

    def load() -> tuple[Content, Translator]:
        if first:
            return first.pop()
        return load_pair(settings)

    def install(content: Content, translator: Translator) -> None:
        translations_changed = translator is not conversations.translator
        conversations.serve(content, translator)
        if translations_changed:
            # Commands and descriptions are translated too: publish the new ones.
            app.create_task(publish_commands(app.bot, translator))

    return ContentReloader(
        load,
        (settings.content_dir, settings.locales_dir),
        interval=WATCH_EVERY if watch else SIGHUP_ONLY,
        on_change=install,
    )


def run(
    settings: Settings, content: Content, translator: Translator, *, watch: bool = False
) -> None:
    """Run until stopped: long polling, or a webhook when WEBHOOK_URL is set.

    SIGHUP reloads the content and translations (and so, with ``watch``, does any change in
    their folders); if the new ones are broken, the errors are logged and the old ones stay.

    SIGTERM (and SIGINT) stop it gracefully: no new updates are taken, the ones already
    received are finished, then the database is closed with its WAL checkpointed. An update
    counts as received by Telegram only once it was handled, so one that was in progress
    when the process was killed is delivered again at the next start (see
    ``bot.telegram.polling``). Start-up retries for as long as Telegram cannot be reached
    (with growing pauses, up to 30 s), so an outage at boot does not become a crash loop; a
    token Telegram refuses ends the process with exit status 1.
    """
    app, runtime = build_application(settings, content, translator)
    runtime.reloader = content_reloader(
        settings, app, runtime.conversations, (content, translator), watch=watch
    )
    try:
        asyncio.run(serve(settings, app, runtime.dispatcher, ALLOWED_UPDATES))
    except InvalidToken:
        logger.error("Telegram refused the bot token: check TELEGRAM_BOT_TOKEN")
        raise SystemExit(1) from None
    logger.info("stopped")
