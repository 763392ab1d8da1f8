"""The architecture, enforced: which parts of ``bot`` may import which (docs/DESIGN.md draws it).

Imports are read with ``ast`` (as python-telegram-bot's tests/test_modules.py reads its
modules), so a failure names the file, the line, the import and the rule it breaks.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.support.architecture import Rules, imports, problems

_ = frozenset
#: The arrows: each part may import the parts listed (and itself). Keep docs/DESIGN.md in step.
ALLOWED: dict[str, frozenset[str]] = {
    "bot.content": _(),
    "bot.config": _(),
    "bot.logs": _(),
    "bot.deeplink": _(),
    "bot.engine": _({"bot.content", "bot.engine.render"}),
    "bot.engine.render": _({"bot.content", "bot.engine"}),
    "bot.i18n": _({"bot.config", "bot.content", "bot.engine"}),
    "bot.storage": _({"bot.config", "bot.engine"}),
    "bot.loading": _({"bot.config", "bot.content", "bot.engine", "bot.i18n"}),
    "bot.reload": _({"bot.content", "bot.engine", "bot.loading"}),
    "bot.health": _({"bot.config", "bot.loading", "bot.storage"}),
    "bot.console": _({"bot.content", "bot.deeplink", "bot.engine"}),
    "bot.tools": _(
        {"bot.config", "bot.content", "bot.deeplink", "bot.engine", "bot.engine.render"}
    ),
    "bot.telegram": _(
        {
            "bot.config",
            "bot.content",
            "bot.deeplink",
            "bot.engine",
            "bot.loading",
            "bot.logs",
            "bot.reload",
            "bot.storage",
        }
    ),
    "bot.cli": _(
        {
            "bot.config",
            "bot.console",
            "bot.content",
            "bot.deeplink",
            "bot.engine",
            "bot.health",
            "bot.i18n",
            "bot.loading",
            "bot.logs",
            "bot.reload",
            "bot.storage",
            "bot.telegram",
            "bot.tools",
        }
    ),
    "bot.__main__": _({"bot.cli"}),
}
SESSION = "the renderer draws from view, language and facts, never from the session"
TRANSITIONS = "the renderer must not call back into the transitions"
RULES = Rules(
    package="bot",
    allowed=ALLOWED,
    parts=_({"bot.engine.render"}),
    forbidden={
        "bot.engine.render": {
            "bot.engine.state": SESSION,
            "bot.engine.engine": TRANSITIONS,
            # The package's __init__ re-exports Engine and Session.
            "bot.engine": "import the engine's modules, not its package (it re-exports Session)",
        }
    },
    external={"telegram": "bot.telegram", "aiosqlite": "bot.storage", "sqlite3": "bot.storage"},
    closed=_({"bot.cli"}),
    entry_points=_({"bot.__main__"}),
)


def test_the_bot_keeps_to_its_architecture() -> None:
    found = problems(RULES, imports(ROOT, "bot"))
    assert not found, "imports that break the architecture:\n" + "\n".join(found)


def test_every_part_of_the_bot_has_a_rule() -> None:
    parts = {p.stem if p.is_file() else p.name for p in (ROOT / "bot").iterdir()}
    parts -= {"__init__", "__pycache__"}
    missing = {f"bot.{p}" for p in parts if not p.startswith(".")} - set(ALLOWED)
    assert not missing, f"add these to ALLOWED (and docs/DESIGN.md): {sorted(missing)}"


def test_the_design_document_draws_every_part() -> None:
    design = (ROOT / "docs" / "DESIGN.md").read_text(encoding="utf-8")
    for part in ALLOWED:
        assert part.removeprefix("bot.") in design, f"docs/DESIGN.md does not mention {part}"


# -- each rule can fail ------------------------------------------------------------------


def tree(tmp_path: Path, files: dict[str, str]) -> Path:
    """A package ``bot`` under ``tmp_path`` with these files (and their ``__init__.py``)."""
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        for parent in path.relative_to(tmp_path).parents:
            init = tmp_path / parent / "__init__.py"
            if parent != Path() and not init.exists():
                init.write_text("", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"bot/content/model.py": "from bot.engine import views\n", "bot/engine/views.py": ""},
            "bot/content/model.py:1: imports bot.engine.views: bot.content may not import "
            "bot.engine (not in its allowed list)",
        ),
        (
            {"bot/engine/render/screens.py": "from bot.engine.state import Session\n"},
            "bot/engine/render/screens.py:1: imports bot.engine.state: bot.engine.render may "
            f"not import bot.engine.state ({SESSION})",
        ),
        (
            {"bot/engine/render/screens.py": "def f():\n    from ..engine import Engine\n"},
            "bot/engine/render/screens.py:2: imports bot.engine.engine: bot.engine.render may "
            f"not import bot.engine.engine ({TRANSITIONS})",
        ),
        (
            {"bot/engine/render/screens.py": "from bot.engine import Session\n"},
            "bot/engine/render/screens.py:1: imports bot.engine: bot.engine.render may not "
            "import bot.engine (import the engine's modules",
        ),
        (
            {"bot/engine/freetext.py": "import telegram\n"},
            "bot/engine/freetext.py:1: imports telegram: only bot.telegram may import telegram",
        ),
        (
            {"bot/telegram/app.py": "from telegram.ext import Application\nimport aiosqlite\n"},
            "bot/telegram/app.py:2: imports aiosqlite: only bot.storage may import aiosqlite",
        ),
        (
            {"bot/health.py": "import sqlite3\n"},
            "bot/health.py:1: imports sqlite3: only bot.storage may import sqlite3",
        ),
        (
            {"bot/telegram/app.py": "from bot.cli.common import report\n"},
            "bot/telegram/app.py:1: imports bot.cli.common: nothing imports bot.cli",
        ),
        (
            {"bot/webchat/app.py": "from bot.engine import events\n", "bot/engine/events.py": ""},
            "bot/webchat/app.py:1: imports bot.engine.events: bot.webchat has no entry",
        ),
    ],
    ids=[
        "content-imports-ours",
        "render-sees-session",
        "render-calls-transitions",
        "render-imports-engine-package",
        "telegram-outside-adapter",
        "aiosqlite-outside-storage",
        "sqlite3-outside-storage",
        "imports-cli",
        "unknown-part",
    ],
)
def test_each_rule_can_fail(tmp_path: Path, files: dict[str, str], expected: str) -> None:
    found = problems(RULES, imports(tree(tmp_path, files), "bot"))
    assert any(line.startswith(expected) for line in found), found


def test_a_cycle_between_packages_fails_naming_each_import(tmp_path: Path) -> None:
    rules = Rules(
        package="bot", allowed={"bot.a": _({"bot.b"}), "bot.b": _({"bot.c"}), "bot.c": _({"bot.a"})}
    )
    root = tree(
        tmp_path,
        {
            "bot/a/x.py": "from bot.b import y\n",
            "bot/b/y.py": "import bot.c.z\n",
            "bot/c/z.py": "\n\nfrom bot.a.x import f\n",
        },
    )
    assert problems(rules, imports(root, "bot")) == [
        "import cycle bot.a -> bot.b -> bot.c -> bot.a: bot/a/x.py:1 imports bot.b.y; "
        "bot/b/y.py:1 imports bot.c.z; bot/c/z.py:3 imports bot.a.x"
    ]


def test_the_shipped_rules_reject_a_cycle_the_table_would_allow(tmp_path: Path) -> None:
    # engine -> render is allowed, and render -> engine's other modules; folded into one
    # package they are no cycle. Two packages allowing each other are.
    rules = Rules(package="bot", allowed={**ALLOWED, "bot.content": _({"bot.config"})})
    rules = Rules(package="bot", allowed={**rules.allowed, "bot.config": _({"bot.content"})})
    root = tree(
        tmp_path,
        {"bot/content/model.py": "import bot.config\n", "bot/config.py": "import bot.content\n"},
    )
    found = problems(rules, imports(root, "bot"))
    assert any(line.startswith("import cycle bot.config -> bot.content") for line in found), found
