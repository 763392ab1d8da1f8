"""Configuration from environment variables (and an optional ``.env`` file).

Every setting has one name, one default and one check here, so the README's table and the
code cannot disagree.
"""

from __future__ import annotations

import os
from pathlib import Path

#: The repository's own content and locales, used when no other folder is configured.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def default_content_dir() -> Path:
    """``CONTENT_DIR`` if set, else the ``content/`` folder shipped with the code."""
    configured = os.environ.get("CONTENT_DIR")
    if configured:
        return Path(configured)
    return PROJECT_ROOT / "content"
