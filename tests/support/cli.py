"""Run ``python -m bot`` as a user would, for the tests of its commands."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_bot(
    *args: str, stdin: str = "", env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """``python -m bot`` with ``args``, piped ``stdin`` and only the Telegram settings in
    ``env`` (none from the caller's shell: a token there would change what commands do)."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**inherited, **(env or {})},
        timeout=timeout,
        check=False,
    )
