"""Commands for NGOs and editors: ``link``, ``graph``, ``preview`` (and ``check --watch``).

Registered through ``bot.cli.COMMAND_MODULES``; everything heavy is imported inside the
command functions so ``python -m bot --help`` stays fast.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli import content_or_report, settings_or_report, translator_or_report
from bot.config import default_content_dir

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.content.model import Content
    from bot.engine.translator import Translator


def _languages(values: list[str] | None) -> list[str]:
    """``--lang ar --lang fr`` or ``--lang ar,fr``, in order, without repeats."""
    codes = [code.strip() for value in values or [] for code in value.split(",") if code.strip()]
    return list(dict.fromkeys(codes))


def _check_languages(translator: Translator, codes: list[str]) -> str | None:
    """An error message for the first code the bot does not offer, else ``None``."""
    known = [lang.code for lang in translator.languages]
    for code in codes:
        if code not in known:
            return f"unknown language {code!r} (expected one of: {', '.join(known)})"
    return None


def _setup(args: argparse.Namespace) -> tuple[Settings, Content, Translator] | int:
    """Settings, content and translator; or the exit status after printing what is wrong
    (2 for configuration, 1 for content or catalogs, as ``run`` does)."""
    settings = settings_or_report()
    if settings is None:
        return 2
    content = content_or_report(args.content or settings.content_dir)
    translator = translator_or_report(settings)
    if content is None or translator is None:
        return 1
    return settings, content, translator


# -- link --------------------------------------------------------------------------------


def cmd_link(args: argparse.Namespace) -> int:
    """Print a campaign's deep link; write its QR code and a printable flyer if asked."""
    from bot.tools.flyer import build_flyer, render_flyer
    from bot.tools.link import (
        LinkError,
        bot_username,
        campaign_link,
        flyer_languages,
        qr_kind,
        qr_svg_inline,
        validated_payload,
        write_qr,
    )

    setup = _setup(args)
    if isinstance(setup, int):
        return setup
    settings, content, translator = setup
    languages = _languages(args.lang)
    problem = _check_languages(translator, languages)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    try:
        # One language opens the bot in it; with several, the bot lets the person choose.
        payload = validated_payload(
            content,
            translator,
            args.campaign,
            languages[0] if len(languages) == 1 else "",
            args.country or "",
        )
        if args.qr:
            qr_kind(args.qr)
        username = bot_username(settings)
    except LinkError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    link = campaign_link(username, payload)
    print(link)
    if args.qr:
        write_qr(link, args.qr)
        print(f"QR code written to {args.qr}", file=sys.stderr)
    if args.flyer:
        country = (args.country or "").upper()
        flyer, missing = build_flyer(
            content,
            translator,
            link=link,
            qr_svg=qr_svg_inline(link),
            languages=flyer_languages(translator, languages),
            country=country,
        )
        for code in missing:
            print(
                f"warning: the flyer line has no {code} translation yet, so {code} is left out",
                file=sys.stderr,
            )
        if not flyer.lines:
            print("error: no chosen language has the flyer line translated", file=sys.stderr)
            return 1
        args.flyer.write_text(render_flyer(flyer), encoding="utf-8")
        print(f"flyer written to {args.flyer} (print it on A4)", file=sys.stderr)
    return 0


# -- graph -------------------------------------------------------------------------------


def cmd_graph(args: argparse.Namespace) -> int:
    """Write the question tree as a Mermaid, DOT or SVG diagram."""
    from bot.tools.graph import GraphError, build_graph, pick_flow, render

    setup = _setup(args)
    if isinstance(setup, int):
        return setup
    _, content, translator = setup
    language = args.lang or translator.default_language
    problem = _check_languages(translator, [language])
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    try:
        flow = pick_flow(content, args.flow or "")
        text = render(build_graph(content, flow, translator, language), args.format)
    except GraphError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        print(f"{args.format} diagram of flow {flow.id!r} written to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


# -- preview -----------------------------------------------------------------------------


def cmd_preview(args: argparse.Namespace) -> int:
    """Write static HTML pages of every screen, linked like the buttons."""
    from bot.tools.preview import explore, write_preview

    setup = _setup(args)
    if isinstance(setup, int):
        return setup
    _, content, translator = setup
    languages = _languages(args.lang) or [lang.code for lang in translator.languages]
    problem = _check_languages(translator, languages)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    preview = explore(content, translator, languages)
    indexes = write_preview(preview, translator, args.out)
    print(f"{len(preview.pages)} pages in {', '.join(languages)}; open {indexes[0]}")
    return 0


# -- check --watch -----------------------------------------------------------------------


def watch_check(args: argparse.Namespace) -> int:
    """``check --watch``: check now, then again on every change under content/ and locales/.

    Runs until Ctrl-C. Uses :class:`~bot.tools.reload.ContentReloader`, as the bot does, so
    what it reports is what a running bot would do with the change.
    """
    from bot.tools.reload import ContentReloader, ReloadError, snapshot

    settings = settings_or_report()
    if settings is None:
        return 2
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    reload_logger = logging.getLogger("bot.tools.reload")
    reload_logger.addHandler(handler)
    reload_logger.setLevel(logging.INFO)
    folders = [args.content, settings.locales_dir]

    def load() -> tuple[Content, Translator]:
        return _checked_pair(args, settings)

    print(f"Watching {' and '.join(map(str, folders))}; Ctrl-C stops.", file=sys.stderr)
    try:
        while True:
            try:
                reloader = ContentReloader(load, folders, interval=args.interval)
                break
            except ReloadError as exc:
                # Nothing good to keep yet: report, wait for the next change, try again.
                print("\n".join(exc.messages), file=sys.stderr)
                seen = snapshot(folders)
                while snapshot(folders) == seen:
                    time.sleep(args.interval)
        asyncio.run(reloader.run())
    except KeyboardInterrupt:
        print("\nstopped", file=sys.stderr)
    finally:
        reload_logger.removeHandler(handler)
    return 0


def _checked_pair(args: argparse.Namespace, settings: Settings) -> tuple[Content, Translator]:
    """Check the content like ``check`` does; the pair, or :class:`ReloadError` on errors."""
    from bot.content.loader import read_content
    from bot.content.validate import validate
    from bot.tools.reload import ReloadError

    stamp = dt.datetime.now().strftime("%H:%M:%S")
    print(f"--- {stamp} checking {args.content}", file=sys.stderr)
    content, problems = read_content(args.content)
    if content is not None:
        problems += validate(content, today=args.today or dt.date.today())
    errors = sorted(p for p in problems if p.severity == "error")
    warnings = sorted(p for p in problems if p.severity == "warning")
    for problem in warnings:
        print(
            f"{args.content / problem.where.file}:{problem.where.line}: warning: {problem.message}"
        )
    if errors or content is None:
        raise ReloadError(
            [f"{args.content / p.where.file}:{p.where.line}: {p.message}" for p in errors]
            + [f"{len(errors)} error(s), {len(warnings)} warning(s)"]
        )
    from bot.i18n import TranslationError, load_translator

    try:
        translator = load_translator(settings)
    except TranslationError as exc:
        raise ReloadError(str(exc).splitlines()) from exc
    print(f"0 error(s), {len(warnings)} warning(s)", file=sys.stderr)
    return content, translator


# -- registration ------------------------------------------------------------------------


def register(commands: Any) -> None:
    """Add ``link``, ``graph`` and ``preview`` to the command line."""

    def add(name: str, func: Any, help_text: str) -> argparse.ArgumentParser:
        sub: argparse.ArgumentParser = commands.add_parser(
            name, help=help_text, description=help_text
        )
        sub.set_defaults(func=func)
        sub.add_argument(
            "--content",
            type=Path,
            default=None,
            metavar="DIR",
            help=f"content folder (default: CONTENT_DIR or {default_content_dir()})",
        )
        return sub

    link = add("link", cmd_link, "print a campaign's deep link; write its QR code and a flyer")
    link.add_argument("--campaign", required=True, help="campaign code: 1-40 letters, digits or _")
    link.add_argument(
        "--lang",
        action="append",
        metavar="L",
        help="language (repeat or comma-separate for a flyer in several; with one, the bot "
        "opens in it)",
    )
    link.add_argument("--country", metavar="CC", help="country code, e.g. RS")
    link.add_argument("--qr", type=Path, metavar="FILE", help="write the QR code (.png or .svg)")
    link.add_argument("--flyer", type=Path, metavar="FILE", help="write a printable A4 HTML flyer")

    graph = add("graph", cmd_graph, "draw the question tree (Mermaid, DOT or SVG)")
    graph.add_argument("--flow", metavar="ID", help="flow id (default: the main flow)")
    graph.add_argument("--lang", metavar="L", help="language of the texts (default: the default)")
    graph.add_argument(
        "--format", choices=("mermaid", "dot", "svg"), default="mermaid", help="default: mermaid"
    )
    graph.add_argument("--out", type=Path, metavar="FILE", help="write to FILE (default: stdout)")

    preview = add("preview", cmd_preview, "write HTML pages of every screen, linked like buttons")
    preview.add_argument(
        "--lang", action="append", metavar="L", help="language(s) (default: all enabled)"
    )
    preview.add_argument(
        "--out", type=Path, default=Path("preview"), metavar="DIR", help="default: ./preview"
    )
