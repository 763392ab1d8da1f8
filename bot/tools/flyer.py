"""A printable A4 flyer: the QR code, the link, one line per language, the emergency number.

The page is plain HTML with print CSS (``@page { size: A4 }``), so an NGO prints it from any
browser, or turns it into a PDF with the browser's "Save as PDF". The template
(``templates/flyer.html``) escapes every text;
each language's line carries its own ``lang`` and ``dir``, so Arabic reads right to left on
a page that is otherwise left to right.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.content.model import Content, Country, PhoneLine
from bot.content.phones import ANY_COUNTRY
from bot.engine.render.blocks import EMERGENCY_HEADING, checked, number_line
from bot.engine.render.text import Text
from bot.engine.translator import N_, Translator
from bot.tools.pages import Markup, render

#: The flyer's one line, translated like every other message.
TAGLINE = N_("Information about your rights — anonymous, free")


@dataclass(frozen=True)
class FlyerLine:
    """The tagline in one language."""

    language: str
    text: str
    rtl: bool


@dataclass(frozen=True)
class Flyer:
    """Everything printed on the flyer, already translated."""

    link: str
    qr_svg: str
    lines: tuple[FlyerLine, ...]
    #: The language of the page itself (the emergency block is written in it).
    language: str
    rtl: bool
    emergency_heading: str
    emergency_lines: tuple[str, ...]
    emergency_note: str
    checked: str


def taglines(translator: Translator, languages: list[str]) -> tuple[list[FlyerLine], list[str]]:
    """The tagline in each language, and the languages left out for want of a translation.

    A catalog without this line would print English under an Arabic label, which is worse
    than leaving the language out and saying so.
    """
    lines: list[FlyerLine] = []
    missing: list[str] = []
    for code in languages:
        text = translator.gettext(code, TAGLINE)
        if text == TAGLINE and code.split("_")[0] != "en":
            missing.append(code)
            continue
        shown = Text(translator, code)
        lines.append(FlyerLine(code, shown.bidi(text), shown.language.rtl))
    return lines, missing


def build_flyer(
    content: Content,
    translator: Translator,
    *,
    link: str,
    qr_svg: str,
    languages: list[str],
    country: str = "",
) -> tuple[Flyer, list[str]]:
    """The flyer for ``link``, and the languages left out (no translation of the tagline).

    With a country, its emergency numbers; without one, the first number of ``ZZ`` (112)
    with ``ZZ``'s note, which says where it works.
    """
    lines, missing = taglines(translator, languages)
    page_language = lines[0].language if lines else translator.default_language
    # The emergency block reads as it does on screen (same phrases, caveats and isolates).
    t = Text(translator, page_language)
    chosen = content.country(country) if country else None
    heading, note = "", ""
    numbers: list[str] = []
    dates: list[dt.date] = []
    if chosen is not None and chosen.id != ANY_COUNTRY:
        heading = t._(EMERGENCY_HEADING, country=t.c(chosen.name))
        numbers = _emergency_lines(chosen, chosen.emergency, t)
        note = t.c(chosen.emergency_note)
        dates = [line.reviewed for line in chosen.emergency]
    else:
        anywhere = content.country(ANY_COUNTRY)
        if anywhere is not None and anywhere.emergency:
            numbers = _emergency_lines(anywhere, anywhere.emergency[:1], t)
            note = t.c(anywhere.emergency_note)
            dates = [anywhere.emergency[0].reviewed]
    bidi = t.bidi
    flyer = Flyer(
        link=link,
        qr_svg=qr_svg,
        lines=tuple(lines),
        language=t.language.code,
        rtl=t.language.rtl,
        emergency_heading=bidi(heading),
        emergency_lines=tuple(bidi(line) for line in numbers),
        emergency_note=bidi(note),
        checked=bidi(checked(t, dates)) if dates else "",
    )
    return flyer, missing


def _emergency_lines(country: Country, lines: tuple[PhoneLine, ...], t: Text) -> list[str]:
    return [number_line(country, line, t) for line in lines]


def render_flyer(flyer: Flyer) -> str:
    """The flyer as a standalone HTML page, A4 when printed."""
    return render(
        "flyer.html",
        flyer=flyer,
        title=flyer.lines[0].text if flyer.lines else flyer.link,
        # Made by segno from the link alone: markup already, and nothing else goes in it.
        qr_svg=Markup(flyer.qr_svg),
        density=_density(len(flyer.lines)),
    )


def _density(languages: int) -> str:
    """How tightly to set the taglines, so that any number of languages fits one A4 page."""
    if languages <= 3:
        return "few"
    return "some" if languages <= 6 else "many"
