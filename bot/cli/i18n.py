"""``python -m bot i18n extract|update|compile|status``: the translators' commands.

``extract`` writes ``locales/messages.pot`` from the code and the content; ``update`` merges
it into every language's ``messages.po``; ``status`` says how complete each language is;
``compile`` checks the catalogs and writes binary ``.mo`` files for other gettext tools (the
bot reads the ``.po`` files itself, so it never needs them).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.cli.common import Command, add_command
from bot.config import PROJECT_ROOT, default_locales_dir


def register(commands: Any) -> None:
    """Add the ``i18n`` command and its sub-commands to ``commands``."""
    i18n = commands.add_parser(
        "i18n",
        help="translations: extract, update, compile, status",
        description="Translations (see locales/README.md).",
    )
    i18n.set_defaults(func=lambda args: _usage(i18n))
    actions = i18n.add_subparsers(dest="i18n_command", metavar="ACTION")

    def add(name: str, func: Command, help_text: str) -> argparse.ArgumentParser:
        sub = add_command(actions, name, func, help_text)
        sub.add_argument(
            "--locales",
            type=Path,
            default=default_locales_dir(),
            metavar="DIR",
            help="the locales folder (default: LOCALES_DIR or locales/)",
        )
        return sub

    extract = add("extract", cmd_extract, "write locales/messages.pot from the code and content")
    extract.add_argument(
        "--root",
        type=Path,
        default=PROJECT_ROOT,
        metavar="DIR",
        help="the project folder holding babel.cfg (default: this repository)",
    )
    extract.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if the POT is out of date"
    )
    update = add("update", cmd_update, "merge messages.pot into every language's messages.po")
    update.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a catalog is out of date"
    )
    compile_ = add("compile", cmd_compile, "check every catalog and write binary .mo files")
    compile_.add_argument(
        "--out", type=Path, metavar="DIR", help="where to write <code>/LC_MESSAGES/messages.mo"
    )
    status = add("status", cmd_status, "translated, fuzzy and missing messages per language")
    status.add_argument(
        "--min",
        type=float,
        metavar="PERCENT",
        help="exit 1 if an enabled language is less translated than this (e.g. 100)",
    )
    status.add_argument(
        "--all", action="store_true", help="with --min: hold every language to it, not only enabled"
    )


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 1


def cmd_extract(args: argparse.Namespace) -> int:
    """Write (or with ``--check``, compare) the messages template."""
    from bot.i18n.maintain import CatalogError, template_differences
    from bot.i18n.template import TemplateError, extract_template, render_catalog, template_path

    path = template_path(args.locales)
    try:
        if args.check:
            found = template_differences(args.root, args.locales)
            for line in found:
                print(line, file=sys.stderr)
            if found:
                return _fail("messages.pot is out of date: run `python -m bot i18n extract`")
            print(f"{path} is up to date")
            return 0
        catalog = extract_template(args.root)
    except (TemplateError, CatalogError) as exc:
        return _fail(str(exc))
    data = render_catalog(catalog)
    changed = not path.is_file() or path.read_bytes() != data
    if changed:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    count = sum(1 for message in catalog if message.id)
    print(f"{path}: {count} messages{'' if changed else ' (unchanged)'}")
    return 0


def cmd_update(args: argparse.Namespace) -> int:
    """Merge the template into every language's catalog (or check that it is merged)."""
    from bot.i18n.maintain import (
        CatalogError,
        is_current,
        read_template,
        updated_catalog,
        write_catalog,
    )
    from bot.i18n.registry import RegistryError, read_registry

    try:
        registry = read_registry(args.locales)
        template = read_template(args.locales)
        stale: list[str] = []
        for language in registry:
            if language.is_source:
                continue
            path = language.catalog_path(args.locales)
            if args.check:
                stale += is_current(template, language, path)
                continue
            existed = path.is_file()
            changed = write_catalog(updated_catalog(template, language, path), path)
            state = "created" if not existed else "updated" if changed else "unchanged"
            print(f"{path}: {state}")
    except (RegistryError, CatalogError) as exc:
        return _fail(str(exc))
    if stale:
        for line in stale:
            print(line, file=sys.stderr)
        return _fail("catalogs are out of date: run `python -m bot i18n update`")
    if args.check:
        print("every catalog is up to date with messages.pot")
    return 0


def cmd_compile(args: argparse.Namespace) -> int:
    """Check every catalog (placeholders, Telegram limits, plural forms), write ``.mo`` files."""
    from bot.i18n.maintain import CatalogError, compiled, problems, read_catalog_file
    from bot.i18n.registry import RegistryError, read_registry

    out = args.out or args.locales
    failed = False
    try:
        registry = read_registry(args.locales)
    except RegistryError as exc:
        return _fail(str(exc))
    for language in registry:
        path = language.catalog_path(args.locales)
        if language.is_source:
            continue
        if not path.is_file():
            if language.enabled:
                print(f"{path}: missing catalog for the enabled language", file=sys.stderr)
                failed = True
            continue
        try:
            catalog = read_catalog_file(path, locale=language.locale)
        except CatalogError as exc:
            print(exc, file=sys.stderr)
            failed = True
            continue
        found = list(problems(catalog, language, path))
        for line in found:
            print(line, file=sys.stderr)
        if found:
            failed = True
            continue
        target = out / language.code / "LC_MESSAGES" / "messages.mo"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(compiled(catalog))
        print(f"{target}")
    return 1 if failed else 0


def cmd_status(args: argparse.Namespace) -> int:
    """Print translated, fuzzy and missing counts per language; gate on ``--min``."""
    from bot.i18n.maintain import CatalogError, count, read_catalog_file, read_template
    from bot.i18n.registry import RegistryError, read_registry

    try:
        registry = read_registry(args.locales)
        template = read_template(args.locales)
    except (RegistryError, CatalogError) as exc:
        return _fail(str(exc))
    below: list[str] = []
    failed = False
    print(
        f"{'language':<22} {'status':<9} {'enabled':<8} {'translated':>16} "
        f"{'fuzzy':>14} {'missing':>14}"
    )
    for language in registry:
        name = f"{language.code} {language.native_name}"
        head = f"{name:<22} {language.status:<9} {'yes' if language.enabled else 'no':<8}"
        if language.is_source:
            total = sum(1 for message in template if message.id)
            print(f"{head} {f'{total} (source)':>16} {'-':>14} {'-':>14}")
            continue
        path = language.catalog_path(args.locales)
        catalog = None
        if path.is_file():
            try:
                catalog = read_catalog_file(path, locale=language.locale)
            except CatalogError as exc:
                print(exc, file=sys.stderr)
                failed = True
                continue
        counts = count(template, catalog)
        cells = [f"{n} {counts.percent(n):5.1f} %" for n in counts.as_row()]
        note = "" if catalog is not None else "  (no catalog: run i18n update)"
        print(f"{head} {cells[0]:>16} {cells[1]:>14} {cells[2]:>14}{note}")
        held = language.enabled or args.all
        if args.min is not None and held and counts.percent(counts.translated) < args.min:
            below.append(f"{language.code} ({counts.percent(counts.translated):.1f} %)")
    if below:
        print(f"under {args.min:g} % translated: {', '.join(below)}", file=sys.stderr)
    return 1 if below or failed else 0
