"""A printable A4 flyer: the QR code, the link, one line per language, the emergency number.

The page is plain HTML with print CSS (``@page { size: A4 }``), so an NGO prints it from any
browser, or turns it into a PDF with the browser's "Save as PDF". Every text is escaped;
each language's line carries its own ``lang`` and ``dir``, so Arabic reads right to left on
a page that is otherwise left to right.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass

from bot.content.model import Content, Country, PhoneLine
from bot.content.phones import ANY_COUNTRY
from bot.engine.render.blocks import EMERGENCY_HEADING, checked, number_line
from bot.engine.render.text import Text
from bot.engine.translator import N_, Translator

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
    e = html.escape
    direction = "rtl" if flyer.rtl else "ltr"
    taglines_html = "\n".join(
        f'    <p class="tagline" lang="{e(line.language)}" dir="{"rtl" if line.rtl else "ltr"}">'
        f"{e(line.text)}</p>"
        for line in flyer.lines
    )
    emergency = ""
    if flyer.emergency_lines:
        parts = []
        if flyer.emergency_heading:
            parts.append(f'      <p class="heading">{e(flyer.emergency_heading)}</p>')
        parts += [f'      <p class="number">{e(line)}</p>' for line in flyer.emergency_lines]
        if flyer.emergency_note:
            parts.append(f'      <p class="note">{e(flyer.emergency_note)}</p>')
        if flyer.checked:
            parts.append(f'      <p class="checked">{e(flyer.checked)}</p>')
        emergency = '    <section class="emergency">\n' + "\n".join(parts) + "\n    </section>"
    title = flyer.lines[0].text if flyer.lines else flyer.link
    return _PAGE.format(
        lang=e(flyer.language),
        dir=direction,
        title=e(title),
        taglines=taglines_html,
        qr=flyer.qr_svg,
        link_href=e(flyer.link, quote=True),
        link=e(flyer.link),
        emergency=emergency,
        density=_density(len(flyer.lines)),
    )


def _density(languages: int) -> str:
    """How tightly to set the taglines, so that any number of languages fits one A4 page."""
    if languages <= 3:
        return "few"
    return "some" if languages <= 6 else "many"


_PAGE = """<!DOCTYPE html>
<html lang="{lang}" dir="{dir}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title}</title>
  <style>
    @page {{ size: A4; margin: 15mm; }}
    * {{ box-sizing: border-box; }}
    html, body {{ margin: 0; color: #000; background: #fff; }}
    body {{ font-family: "Noto Sans", "Noto Naskh Arabic", "DejaVu Sans", Arial, sans-serif; }}
    .sheet {{ width: 180mm; min-height: 260mm; margin: 0 auto; padding-top: 10mm;
             display: flex; flex-direction: column; align-items: center; text-align: center; }}
    .tagline {{ font-size: 20pt; font-weight: bold; margin: 0 0 4mm; line-height: 1.35; }}
    .qr {{ width: 95mm; height: 95mm; margin: 6mm 0 2mm; }}
    .link {{ font-family: "DejaVu Sans Mono", monospace; font-size: 13pt; margin: 0 0 8mm;
             overflow-wrap: anywhere; unicode-bidi: isolate; }}
    .link a {{ color: #000; text-decoration: none; }}
    .emergency {{ border: 1.5pt solid #000; border-radius: 3mm; padding: 3mm 6mm; width: 150mm; }}
    .emergency p {{ margin: 1.5mm 0; }}
    .heading {{ font-size: 13pt; font-weight: bold; }}
    .number {{ font-size: 18pt; font-weight: bold; }}
    .note, .checked {{ font-size: 10pt; }}
    .some .tagline {{ font-size: 14pt; margin-bottom: 2mm; }}
    .many .tagline {{ font-size: 11pt; margin-bottom: 1mm; line-height: 1.25; }}
    .many .qr {{ width: 70mm; height: 70mm; }}
    @media screen {{
      body {{ background: #ddd; padding: 10mm 0; }}
      .sheet {{ width: 210mm; min-height: 297mm; padding: 20mm 15mm; background: #fff;
               box-shadow: 0 1mm 4mm rgba(0, 0, 0, .3); }}
    }}
  </style>
</head>
<body>
  <main class="sheet {density}">
{taglines}
    {qr}
    <p class="link" dir="ltr"><a href="{link_href}">{link}</a></p>
{emergency}
  </main>
</body>
</html>
"""
