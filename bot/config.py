"""Configuration from environment variables (and an optional ``.env`` file).

Every setting has one name, one default and one check here, so the README's table and the
code cannot disagree. :func:`Settings.from_env` reports every mistake at once, each with what
was expected.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
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

        def text(name: str, attr: str) -> None:
            if env.get(name, "").strip():
                values[attr] = env[name].strip()

        def number(name: str, attr: str, low: int, high: int) -> None:
            raw = env.get(name, "").strip()
            if not raw:
                return
            if not raw.isdigit() or not low <= int(raw) <= high:
                errors.append(
                    f"{name}={raw!r} is invalid (expected a whole number from {low} to {high})"
                )
            else:
                values[attr] = int(raw)

        def choice(name: str, attr: str, allowed: tuple[str, ...]) -> None:
            raw = env.get(name, "").strip()
            if not raw:
                return
            if raw not in allowed and raw.upper() not in allowed:
                errors.append(f"{name}={raw!r} is invalid (expected one of: {', '.join(allowed)})")
            else:
                values[attr] = raw if raw in allowed else raw.upper()

        token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
        if token:
            if not _TOKEN.match(token):
                errors.append(
                    "TELEGRAM_BOT_TOKEN does not look like a bot token "
                    "(expected digits, a colon and at least 30 letters, digits, - or _, as "
                    "@BotFather gives it)"
                )
            values["telegram_token"] = token
        for name, attr in [
            ("DATA_DIR", "data_dir"),
            ("CONTENT_DIR", "content_dir"),
            ("LOCALES_DIR", "locales_dir"),
        ]:
            if env.get(name, "").strip():
                values[attr] = Path(env[name].strip())
        text("DEFAULT_LANGUAGE", "default_language")
        if env.get("LANGUAGES", "").strip():
            values["languages"] = tuple(c.strip() for c in env["LANGUAGES"].split(",") if c.strip())
        if env.get("SESSION_TTL", "").strip():
            try:
                values["session_ttl"] = parse_duration(env["SESSION_TTL"])
            except ValueError:
                errors.append(
                    f"SESSION_TTL={env['SESSION_TTL']!r} is invalid (expected a duration such as 3600, 90m, 24h or 7d)"
                )
        text("PATHWAYS_SECRET", "secret")
        if "secret" in values and len(str(values["secret"])) < 32:
            errors.append(
                "PATHWAYS_SECRET is too short (expected at least 32 characters of random text)"
            )
        number("STATS_MIN_COUNT", "stats_min_count", 1, 1000)
        url = env.get("WEBHOOK_URL", "").strip()
        if url:
            if urlparse(url).scheme != "https" or not urlparse(url).netloc:
                errors.append(
                    f"WEBHOOK_URL={url!r} is invalid (expected an https:// URL that Telegram can reach)"
                )
            values["webhook_url"] = url
        text("WEBHOOK_LISTEN", "webhook_listen")
        number("WEBHOOK_PORT", "webhook_port", 1, 65535)
        secret_token = env.get("WEBHOOK_SECRET_TOKEN", "").strip()
        if secret_token:
            if not _SECRET_TOKEN.match(secret_token):
                errors.append(
                    "WEBHOOK_SECRET_TOKEN is invalid (expected 1-256 characters of A-Z, a-z, 0-9, _ and -)"
                )
            values["webhook_secret_token"] = secret_token
        elif url:
            errors.append(
                "WEBHOOK_SECRET_TOKEN is missing (expected it with WEBHOOK_URL, so the bot can tell Telegram's requests from forged ones)"
            )
        api = env.get("TELEGRAM_API_URL", "").strip()
        if api:
            if urlparse(api).scheme not in ("http", "https") or not urlparse(api).netloc:
                errors.append(
                    f"TELEGRAM_API_URL={api!r} is invalid (expected a URL such as http://127.0.0.1:8081/bot)"
                )
            values["telegram_api_url"] = api
        text("BOT_USERNAME", "bot_username")
        number("TELEGRAM_RATE_LIMIT", "rate_limit", 0, 1000)
        choice("LOG_LEVEL", "log_level", ("DEBUG", "INFO", "WARNING", "ERROR"))
        choice("LOG_FORMAT", "log_format", ("plain", "json"))
        if errors:
            raise ConfigError(errors)
        return cls(**values)  # type: ignore[arg-type]


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
