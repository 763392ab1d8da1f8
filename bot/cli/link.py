"""``python -m bot link``: a campaign's deep link, its QR code and a printable flyer."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.cli.common import add_command, add_content_option, language_list, loaded_in


def register(commands: Any) -> None:
    """Add the ``link`` command."""
    link = add_command(
        commands, "link", cmd_link, "print a campaign's deep link; write its QR code and a flyer"
    )
    add_content_option(link)
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

    setup = loaded_in(args, lambda _: language_list(args.lang))
    if isinstance(setup, int):
        return setup
    settings, content, translator, languages = setup
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
