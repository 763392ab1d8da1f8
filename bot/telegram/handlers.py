"""Telegram updates → engine events → screens, one conversation at a time.

Each update: load the pseudonymous session, run one engine step, show the screens (editing
the pressed message in place), then save the session with the ids of the new messages (for
the quick exit) and count the anonymous tallies. Nothing about the user is kept beyond that:
no name, no username, no language code, no text.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TypeVar

from telegram import Message, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError, TimedOut
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.content.model import Content
from bot.deeplink import parse_payload
from bot.engine import events as ev
from bot.engine import views as v
from bot.engine.commands import command_event
from bot.engine.engine import Engine
from bot.engine.screens import Screen
from bot.engine.state import NONCE_MODULUS
from bot.engine.translator import N_, Translator
from bot.storage.sessions import SessionStore
from bot.storage.stats import Counters
from bot.telegram import callback_data, render
from bot.telegram.chatlocks import ChatLocks
from bot.telegram.flood import FloodGate, Verdict
from bot.telegram.wipe import delete_messages

logger = logging.getLogger(__name__)
T = TypeVar("T")

#: Added to the first screen on Telegram: how to remove traces the bot cannot remove.
TELEGRAM_TIP = N_(
    "Tip: to remove this chat from your phone, press and hold it in your chat list and "
    "choose Delete. You can also make messages disappear by themselves: open this chat, tap "
    "the bot's name, then Auto-Delete."
)
#: Sent (at most once in a while) to a chat whose updates are dropped for coming too fast.
FLOOD_NOTE = N_("You are sending messages very fast. Please wait a few seconds, then try again.")
Context = ContextTypes.DEFAULT_TYPE


async def with_retries(call: Callable[[], Awaitable[T]], *, idempotent: bool) -> T:
    """Retry a Bot API call on network errors (not on Telegram's answers).

    429s are retried by the rate limiter. A time-out after sending may mean the message went
    out, so only idempotent calls (edits, deletions) are retried after one.
    """
    for attempt in range(3):
        try:
            return await call()
        except BadRequest:
            raise
        except TimedOut:
            if not idempotent or attempt == 2:
                raise
        except NetworkError:
            if attempt == 2:
                raise
        await asyncio.sleep(0.25 * 2**attempt)
    raise AssertionError("unreachable")


class Conversations:
    """The bot's behaviour on Telegram; storage is attached when the application starts."""

    def __init__(self, content: Content, translator: Translator) -> None:
        self.engine = Engine(content, translator)
        self.sessions: SessionStore | None = None
        self.counters: Counters | None = None
        # Two quick taps of one user are handled in order; other users' run concurrently.
        self.chat_locks = ChatLocks()
        #: Per-chat flood limiting, in memory only (see bot.telegram.flood).
        self.flood = FloodGate()

    @property
    def content(self) -> Content:
        """The content being served."""
        return self.engine.content

    @property
    def translator(self) -> Translator:
        """The translations being served."""
        return self.engine.translator

    def serve(self, content: Content, translator: Translator) -> None:
        """Serve new content and translations from the next update on (a reload); screens
        drawn from the old ones are dropped with the old engine."""
        self.engine = Engine(content, translator)

    def attach(self, sessions: SessionStore, counters: Counters) -> None:
        """Give the conversations their storage (done in the application's post_init)."""
        self.sessions = sessions
        self.counters = counters

    # -- handlers, registered in bot.telegram.app ---------------------------------------

    async def on_any(self, update: Update, context: Context) -> None:
        """Before every other handler: drop a flooding chat's excess updates.

        A dropped button press is still answered (once, as every press must be); a dropped
        message is remembered for the quick exit. ``/exit`` is never dropped: hiding the
        conversation must work however fast someone taps.
        """
        chat = update.effective_chat
        if chat is None or chat.type != ChatType.PRIVATE:
            return
        message = update.message
        if message is not None and _is_exit(message.text):
            return
        verdict = self.flood.check(chat.id)
        if verdict is Verdict.ADMIT:
            return
        note = (
            self.translator.gettext(
                self.flood.language(chat.id, self.translator.default_language), FLOOD_NOTE
            )
            if verdict is Verdict.DROP_WITH_NOTE
            else None
        )
        if update.callback_query is not None:
            with contextlib.suppress(TelegramError):
                await update.callback_query.answer(note)
        elif message is not None:
            self.flood.keep_for_wipe(chat.id, message.message_id)
            if note is not None:
                with contextlib.suppress(TelegramError):
                    sent = await context.bot.send_message(chat.id, note)
                    self.flood.keep_for_wipe(chat.id, sent.message_id)
        raise ApplicationHandlerStop

    async def on_start(self, update: Update, context: Context) -> None:
        """``/start [payload]``: begin, maybe from a deep link."""
        entry = parse_payload(" ".join(context.args or []))
        user = update.effective_user
        event = ev.Start(
            campaign=entry.campaign,
            language=entry.language,
            country=entry.country,
            # Only a hint for the language picker: phones are shared. Never stored.
            language_hint=(user.language_code or "") if user else "",
            nonce_seed=secrets.randbelow(NONCE_MODULUS),
        )
        await self._run(update, context, event)

    async def on_command(self, update: Update, context: Context) -> None:
        """The other commands; an unknown one shows how to use the bot."""
        name = _command_name(update.effective_message.text if update.effective_message else None)
        await self._run(update, context, command_event(name) or ev.HowTo())

    async def on_callback(self, update: Update, context: Context) -> None:
        """A button: answer the query at once, then apply the press."""
        query = update.callback_query
        if query is None:
            return
        # Awaiting the answer first is safe for the order of taps: the chat's turn was taken
        # when the update arrived (see chatlocks), so a second tap waits behind this one
        # however long Telegram takes. A network error is retried (else the button keeps
        # spinning); a query too old to answer, or answered by an earlier try, is handled.
        with contextlib.suppress(TelegramError):
            await with_retries(query.answer, idempotent=True)
        message = query.message if isinstance(query.message, Message) else None
        await self._run(update, context, callback_data.press(query.data), edit=message)

    async def on_text(self, update: Update, context: Context) -> None:
        """Typed text: matched against the content, never stored or logged."""
        message = update.effective_message
        await self._run(update, context, ev.FreeText(message.text or "" if message else ""))

    async def on_other(self, update: Update, context: Context) -> None:
        """Photos, stickers, voice, locations, contacts...: the bot reads only text."""
        await self._run(update, context, ev.Unsupported())

    async def on_error(self, update: object, context: Context) -> None:
        """Log the kind of error only: no update content, no ids."""
        # The exception is named on the log line, never printed with its traceback, and
        # counted by type for `python -m bot health`.
        error = context.error
        logger.error(
            "error while handling an update",
            exc_info=(type(error), error, None) if error is not None else None,
        )

    # -- the step -------------------------------------------------------------------------

    async def _run(
        self, update: Update, context: Context, event: ev.Event, *, edit: Message | None = None
    ) -> None:
        chat = update.effective_chat
        if chat is None or chat.type != ChatType.PRIVATE:
            return  # the bot is for private chats only: a group would expose the user
        assert self.sessions is not None and self.counters is not None, "storage not attached"
        incoming = update.message.message_id if update.message else None
        # No lock here: the update's turn on its chat was taken as it arrived (dispatch).
        session = await self.sessions.load_session(chat.id)
        outcome = self.engine.step(session, event)
        await self.counters.add(outcome.tallies)
        if outcome.wipe:
            ids = await self.sessions.forget(chat.id)
            extra = [i for i in (incoming, edit.message_id if edit else None) if i is not None]
            dropped = self.flood.take_for_wipe(chat.id)
            await delete_messages(context.bot, chat.id, [*ids, *dropped, *extra])
            return
        if outcome.session is not None:
            # Saved *before* the screen is shown. Killed in between, the person still sees
            # the screen before; their next press on it (or this update, delivered again
            # because it was never confirmed) finds it replaced and re-draws the new one.
            # Saved after, a crash in between left the stored state one screen behind what
            # the person saw, and their press on the newest screen was refused as old.
            self.flood.remember_language(chat.id, outcome.session.language)
            # Messages the flood limit dropped are deleted by the quick exit too.
            dropped = self.flood.take_for_wipe(chat.id)
            # /reset must leave no copy of the old answers on disk: reset checkpoints.
            store = self.sessions.reset if isinstance(event, ev.Reset) else self.sessions.save
            await store(chat.id, outcome.session, [*([incoming] if incoming else []), *dropped])
        screens = outcome.screens
        if isinstance(event, ev.Start):
            screens = tuple(self._with_tip(s) for s in screens)
        sent: list[int] = []
        blocked = False
        try:
            await self._show(context, chat.id, screens, edit, sent)
        except Forbidden:
            blocked = True  # the person blocked the bot: forget them quietly (below)
        except TimedOut:
            # Telegram may have shown the screen after all (a late answer is not a refusal);
            # the session is saved already. If the screen never arrived, the person's next
            # press is on an older screen, which re-draws the current one with a note.
            logger.error("showing a screen timed out", exc_info=True)
        finally:
            if sent and outcome.session is not None and not blocked:
                # New messages (not edits): their ids, for the quick exit. Most presses
                # edit in place and need no second write.
                await self.sessions.add_message_ids(chat.id, sent)
        if blocked:
            await self.sessions.forget(chat.id)

    def _with_tip(self, screen: Screen) -> Screen:
        if screen.view != str(v.NodeView(self.content.main.start)):
            return screen
        tip = self.translator.gettext(screen.language, TELEGRAM_TIP)
        return replace(screen, text=f"{screen.text}\n\n{tip}" if screen.text else tip)

    async def _show(
        self,
        context: Context,
        chat_id: int,
        screens: tuple[Screen, ...],
        edit: Message | None,
        sent: list[int],
    ) -> None:
        """Show screens, editing ``edit`` in place for the first part; new ids go to ``sent``."""
        for screen in screens:
            for part in render.messages(screen):
                if edit is not None and await self._edit(context, chat_id, edit.message_id, part):
                    edit = None
                    continue
                edit = None
                message = await with_retries(
                    lambda part=part: context.bot.send_message(  # type: ignore[misc]
                        chat_id,
                        part.html,
                        parse_mode=ParseMode.HTML,
                        api_kwargs=part.api_kwargs,  # keyboard, no preview (see render)
                    ),
                    idempotent=False,
                )
                sent.append(message.message_id)

    async def _edit(
        self, context: Context, chat_id: int, message_id: int, part: render.OutgoingMessage
    ) -> bool:
        """Edit a message in place; ``False`` when it cannot be edited (send a new one)."""
        try:
            await with_retries(
                lambda: context.bot.edit_message_text(
                    part.html,
                    chat_id=chat_id,
                    message_id=message_id,
                    parse_mode=ParseMode.HTML,
                    api_kwargs=part.api_kwargs,  # keyboard, no preview (see render)
                ),
                idempotent=True,
            )
        except BadRequest as exc:
            # "Message is not modified" means it already shows this screen.
            return "not modified" in exc.message.lower()
        return True


def _command_name(text: str | None) -> str:
    """The command a message starts with, lower-case and without ``/`` or ``@botname``."""
    if not text or not text.startswith("/"):
        return ""
    return text.split()[0][1:].split("@")[0].lower()


def _is_exit(text: str | None) -> bool:
    """Whether a message is the ``/exit`` command (also as ``/exit@botname``)."""
    return _command_name(text) == "exit"
