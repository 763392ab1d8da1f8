"""Bot commands and descriptions, published per language at start-up."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand
from telegram.error import TelegramError

from bot.engine.commands import COMMANDS as BOT_COMMANDS
from bot.engine.translator import N_, Translator

logger = logging.getLogger(__name__)

#: The bot's commands and their descriptions, from the one table.
COMMANDS = tuple((c.name, c.description) for c in BOT_COMMANDS)
DESCRIPTION = N_(
    "Information about your rights and your options to stay, if you were brought to Europe "
    "and exploited. Anonymous and free: we never ask your name. In danger? Press Help now."
)
SHORT_DESCRIPTION = N_("Information about your rights: anonymous, free, in your language.")


def telegram_language_code(code: str) -> str:
    """Telegram's two-letter code for one of our languages (``zh_Hans`` → ``zh``)."""
    return code.split("_")[0].lower()


async def publish_commands(bot: Bot, translator: Translator) -> None:
    """Set commands and descriptions for every language (and the default, in English).

    A failure is logged and ignored: the bot works without them.
    """
    targets = [("", translator.default_language)] + [
        (telegram_language_code(lang.code), lang.code) for lang in translator.languages
    ]
    for telegram_code, language in targets:
        try:
            await _publish(bot, translator, language, telegram_code or None)
        except TelegramError as exc:
            logger.warning("could not publish commands for a language: %s", type(exc).__name__)


async def _publish(bot: Bot, translator: Translator, language: str, code: str | None) -> None:
    def _(message: str) -> str:
        return translator.gettext(language, message)

    await bot.set_my_commands(
        [BotCommand(name, _(text)) for name, text in COMMANDS], language_code=code
    )
    await bot.set_my_description(_(DESCRIPTION), language_code=code)
    await bot.set_my_short_description(_(SHORT_DESCRIPTION), language_code=code)
