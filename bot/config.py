"""Configuration from environment variables (and an optional ``.env`` file).

Every setting has one name, one default and one check here, so the README's table and the
code cannot disagree. :func:`Settings.from_env` reports every mistake at once, each with what
was expected.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

#: The repository's own content and locales, used when no other folder is configured.
PROJECT_ROOT = Path(__file__).resolve().parent.parent

_DURATION = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]{30,}$")
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")

TOKEN_HELP = (
    "Create a bot with @BotFather on Telegram (send /newbot) and set TELEGRAM_BOT_TOKEN to the "
    "token it gives you. Without a token, `python -m bot chat` runs the bot in this terminal."
)


class ConfigError(Exception):
    """One or more settings are wrong; each message says what was expected."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__("\n".join(messages))


def default_content_dir() -> Path:
    """``CONTENT_DIR`` if set, else the ``content/`` folder shipped with the code."""
    configured = os.environ.get("CONTENT_DIR")
    return Path(configured) if configured else PROJECT_ROOT / "content"


def default_locales_dir() -> Path:
    """``LOCALES_DIR`` if set, else the ``locales/`` folder shipped with the code."""
    configured = os.environ.get("LOCALES_DIR")
    return Path(configured) if configured else PROJECT_ROOT / "locales"


def parse_duration(value: str) -> dt.timedelta:
    """``"3600"``, ``"90m"``, ``"24h"`` or ``"7d"`` as a timedelta; ``ValueError`` otherwise."""
    match = _DURATION.match(value)
    if not match or int(match.group(1)) == 0:
        raise ValueError(value)
    return dt.timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])


@dataclass(frozen=True)
class Settings:
    """Everything the bot can be configured with (see the README's table)."""

    telegram_token: str = ""
    data_dir: Path = Path("data")
    content_dir: Path = field(default_factory=default_content_dir)
    locales_dir: Path = field(default_factory=default_locales_dir)
    default_language: str = "en"
    #: Languages offered; empty means every language in the registry.
    languages: tuple[str, ...] = ()
    session_ttl: dt.timedelta = dt.timedelta(hours=24)
    #: The key for pseudonymising chat ids; empty: kept in ``<data_dir>/secret.key``.
    secret: str = field(default="", repr=False)
    #: Counts below this are suppressed in statistics exports.
    stats_min_count: int = 5
    webhook_url: str = ""
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    webhook_secret_token: str = field(default="", repr=False)
    #: Bot API base URL, for tests and self-hosted Bot API servers ("" = Telegram's).
    telegram_api_url: str = ""
    bot_username: str = ""
    #: Messages a second the bot sends across all chats (Telegram allows about 30);
    #: 0 turns the limit off, for load tests against a local Bot API server only.
    rate_limit: int = 30
    log_level: str = "INFO"
    log_format: str = "plain"

    @property
    def database_path(self) -> Path:
        """The SQLite file."""
        return self.data_dir / "pathways.sqlite3"

    @property
    def secret_path(self) -> Path:
        """Where the pseudonymisation key is kept when not configured."""
        return self.data_dir / "secret.key"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read settings from ``env`` (default: the process environment plus ``.env``).

        Raises :class:`ConfigError` listing every invalid value.
        """
        if env is None:
            env = {**read_dotenv(Path(".env")), **os.environ}
        errors: list[str] = []
        values: dict[str, object] = {}
        for var in VARIABLES:
            raw = env.get(var.name, "").strip()
            if not raw:
                if var.needed_with and env.get(var.needed_with, "").strip():
                    errors.append(
                        f"{var.name} is missing (expected it with {var.needed_with}{var.why})"
                    )
                continue
            try:
                values[var.attr] = var.read(raw)
            except ValueError as exc:
                shown = var.name if var.secret else f"{var.name}={raw!r}"
                errors.append(f"{shown} {exc}")
        if errors:
            raise ConfigError(errors)
        return cls(**values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Variable:
    """One environment variable: its name, the setting it fills and how it is read.

    ``read`` gets the stripped value and raises ``ValueError("is invalid (expected …)")``.
    """

    name: str
    attr: str
    read: Callable[[str], object]
    #: A secret: its value is never repeated in a message.
    secret: bool = False
    #: Required whenever this other variable is set, because of ``why``.
    needed_with: str = ""
    why: str = ""


def _number(low: int, high: int) -> Callable[[str], int]:
    def read(raw: str) -> int:
        if not raw.isdigit() or not low <= int(raw) <= high:
            raise ValueError(f"is invalid (expected a whole number from {low} to {high})")
        return int(raw)

    return read


def _choice(*allowed: str) -> Callable[[str], str]:
    def read(raw: str) -> str:
        if raw in allowed:
            return raw
        if raw.upper() in allowed:
            return raw.upper()
        raise ValueError(f"is invalid (expected one of: {', '.join(allowed)})")

    return read


def _matching(pattern: re.Pattern[str], problem: str) -> Callable[[str], str]:
    def read(raw: str) -> str:
        if not pattern.match(raw):
            raise ValueError(problem)
        return raw

    return read


def _url(schemes: tuple[str, ...], expected: str) -> Callable[[str], str]:
    def read(raw: str) -> str:
        parts = urlparse(raw)
        if parts.scheme not in schemes or not parts.netloc:
            raise ValueError(f"is invalid (expected {expected})")
        return raw

    return read


def _duration(raw: str) -> dt.timedelta:
    try:
        return parse_duration(raw)
    except ValueError:
        raise ValueError("is invalid (expected a duration such as 3600, 90m, 24h or 7d)") from None


def _secret(raw: str) -> str:
    if len(raw) < 32:
        raise ValueError("is too short (expected at least 32 characters of random text)")
    return raw


def _text(raw: str) -> str:
    return raw


def _codes(raw: str) -> tuple[str, ...]:
    return tuple(code.strip() for code in raw.split(",") if code.strip())


#: Every setting's variable, in the order mistakes are reported (the README has the table).
VARIABLES: tuple[Variable, ...] = (
    Variable(
        "TELEGRAM_BOT_TOKEN",
        "telegram_token",
        _matching(
            _TOKEN,
            "does not look like a bot token (expected digits, a colon and at least 30 "
            "letters, digits, - or _, as @BotFather gives it)",
        ),
        secret=True,
    ),
    Variable("DATA_DIR", "data_dir", Path),
    Variable("CONTENT_DIR", "content_dir", Path),
    Variable("LOCALES_DIR", "locales_dir", Path),
    Variable("DEFAULT_LANGUAGE", "default_language", _text),
    Variable("LANGUAGES", "languages", _codes),
    Variable("SESSION_TTL", "session_ttl", _duration),
    Variable("PATHWAYS_SECRET", "secret", _secret, secret=True),
    Variable("STATS_MIN_COUNT", "stats_min_count", _number(1, 1000)),
    Variable(
        "WEBHOOK_URL", "webhook_url", _url(("https",), "an https:// URL that Telegram can reach")
    ),
    Variable("WEBHOOK_LISTEN", "webhook_listen", _text),
    Variable("WEBHOOK_PORT", "webhook_port", _number(1, 65535)),
    Variable(
        "WEBHOOK_SECRET_TOKEN",
        "webhook_secret_token",
        _matching(
            _SECRET_TOKEN, "is invalid (expected 1-256 characters of A-Z, a-z, 0-9, _ and -)"
        ),
        secret=True,
        needed_with="WEBHOOK_URL",
        why=", so the bot can tell Telegram's requests from forged ones",
    ),
    Variable(
        "TELEGRAM_API_URL",
        "telegram_api_url",
        _url(("http", "https"), "a URL such as http://127.0.0.1:8081/bot"),
    ),
    Variable("BOT_USERNAME", "bot_username", _text),
    Variable("TELEGRAM_RATE_LIMIT", "rate_limit", _number(0, 1000)),
    Variable("LOG_LEVEL", "log_level", _choice("DEBUG", "INFO", "WARNING", "ERROR")),
    Variable("LOG_FORMAT", "log_format", _choice("plain", "json")),
)


def read_dotenv(path: Path) -> dict[str, str]:
    """``KEY=VALUE`` lines of a ``.env`` file (``#`` comments, optional quotes); {} if absent."""
    if not path.is_file():
        return {}
    result: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        result[key.strip().removeprefix("export ").strip()] = value
    return result
