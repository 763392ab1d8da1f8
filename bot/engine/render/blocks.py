"""The blocks screens are made of: phone lines and their caveats, statements with theirs,
organisations, emergency numbers, Help now, the footer.

Shared by every screen that shows them and by the tools (the flyer, the diagram), so the
same fact reads the same wherever it appears.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from bot.content.model import Content, Country, FactValue, Organisation, Pathway, PhoneLine
from bot.content.model import Statement as Fact
from bot.content.phones import ANY_COUNTRY, display_number
from bot.engine import views as v
from bot.engine.pathways import country_flag, country_for, known_country
from bot.engine.render.text import Builder, Text
from bot.engine.translator import N_

# Translators: button label
CONTINUE = N_("Continue ▶")
NOT_CONFIRMED = N_("(not fully confirmed: check before you rely on it)")
CHECKED = N_("Checked: {date}")
EMERGENCY_HEADING = N_("Emergency numbers ({country}):")


def footer(view: str, t: Text, b: Builder) -> None:
    """Back and Menu; then Help now (except on Help now itself) and Hide."""
    # Translators: button label
    b.button(t._("◀ Back"), v.BACK)
    # Translators: button label
    b.button(t._("☰ Menu"), v.MENU, same_row=True)
    if view != "help":
        # Translators: button label
        b.button(t._("🆘 Help now"), v.HELP_NOW)
        # Translators: button label
        b.button(t._("✖ Hide"), v.HIDE, same_row=True)
    else:
        b.button(t._("✖ Hide"), v.HIDE)


def checked(t: Text, dates: Iterable[dt.date]) -> str:
    """ "Checked:" with the oldest of ``dates``."""
    return t._(CHECKED, date=t.day(min(dates)))


def number_line(country: Country, line: PhoneLine, t: Text) -> str:
    """``label: number`` with the caveat of a number not fully confirmed."""
    text = f"{t.c(line.label)}: {display_number(line.phone, country.id)}"
    return text + unconfirmed(line, t)


def unconfirmed(line: PhoneLine, t: Text) -> str:
    """The caveat of a phone line below high confidence (with its leading space), or ""."""
    return " " + t._(NOT_CONFIRMED) if line.confidence != "high" else ""


def phone(
    country: Country,
    org: Organisation | None,
    line: PhoneLine,
    t: Text,
    *,
    bullet: str = "•",
    brief: bool = False,
) -> str:
    """One phone line; ``brief`` leaves out hours and notes (lists of several lines)."""
    owner = f"{t.c(org.name)}, " if org is not None else ""
    text = f"{bullet} {owner}{t.c(line.label)}: {display_number(line.phone, country.id)}"
    if line.hours and not brief:
        text += f" ({t.c(line.hours)})"
    if line.note and not brief:
        text += f". {t.c(line.note)}"
    return text + unconfirmed(line, t)


def statement(t: Text, fact: Fact, whom: str) -> str:
    """A fact's text with the caveat its confidence asks for, naming whom to ask."""
    text = t.c(fact.text)
    if fact.confidence == "medium":
        text += " " + t._("(Please check: ask {whom} to confirm.)", whom=whom)
    elif fact.confidence == "low":
        text += " " + t._("(Not confirmed: ask {whom} before you rely on this.)", whom=whom)
    elif fact.confidence == "unverified":
        text += " " + t._("(We could not confirm this yet: ask {whom}.)", whom=whom)
    return text


def provenance_line(t: Text, reviewed: dt.date, confidence: str, whom: str) -> str:
    """ "Checked:" with a node's review date, and a caveat below high confidence."""
    line = checked(t, [reviewed])
    if confidence != "high":
        line += " " + t._("(Please check: ask {whom} to confirm.)", whom=whom)
    return line


def recorded_line(content: Content, facts: dict[str, FactValue], t: Text, b: Builder) -> None:
    """Under a question's title, what the bot has recorded: the country, once chosen, and
    the language. Two quick taps on a list cannot go unnoticed this way."""
    country = known_country(content, facts)
    language = f"🌐 {t.language.native_name}"
    if country is None:
        b.para(language)
    else:
        b.para(f"{country_flag(country.id)} {t.c(country.name)} · {language}")


def whom(content: Content, facts: dict[str, FactValue], t: Text) -> str:
    """Whom a caveat names: the first organisation of the user's country."""
    country = country_for(content, facts)
    if country is not None and country.organisations:
        return t.c(country.organisations[0].name)
    return t._("a support organisation")


def whom_for(country: Country, pathway: Pathway, t: Text) -> str:
    """Whom a pathway's caveats name: its first organisation, else the country's."""
    for org_id in pathway.organisations:
        org = country.organisation(org_id)
        if org is not None:
            return t.c(org.name)
    return (
        t.c(country.organisations[0].name)
        if country.organisations
        else t._("a support organisation")
    )


def emergency_block(country: Country, t: Text, b: Builder) -> None:
    """The country's emergency numbers, and its note about them."""
    lines = [phone(country, None, line, t) for line in country.emergency]
    b.para(t._(EMERGENCY_HEADING, country=t.c(country.name)), *lines)
    if country.emergency_note:
        b.para(t.c(country.emergency_note))


def organisations_block(
    country: Country,
    orgs: list[Organisation] | tuple[Organisation, ...],
    t: Text,
    b: Builder,
    *,
    short: bool = False,
) -> None:
    """Organisations: a line each (``short``), or each with its summary and contacts."""
    if short:
        lines = [
            phone(country, org, org.phones[0], t, brief=True)
            if org.phones
            else f"• {t.c(org.name)}"
            for org in orgs
        ]
        b.para(t._("Who can help:"), *lines)
        return
    for org in orgs:
        summary = Fact(
            text=org.summary, sources=org.sources, reviewed=org.reviewed, confidence=org.confidence
        )
        name = t.c(org.name)
        lines = [f"• {name}", statement(t, summary, name)]
        lines += [phone(country, None, line, t, bullet="☎") for line in org.phones]
        if org.cities:
            cities = ", ".join(t.c(city) for city in org.cities)
            lines.append(t._("Where: {cities}", cities=cities))
        if org.email:
            lines.append(f"✉ {org.email}")
        if org.website:
            lines.append(f"🌐 {org.website}")
        b.para(*lines)


def help_block(content: Content, country: Country | None, t: Text, b: Builder) -> None:
    """The Help now numbers: the country's, or every country's with a button for each.

    Shared by the Help now screen and by nodes with ``show: [emergency]``, so a person
    in danger sees the same numbers wherever they ask.
    """
    if country is not None:
        emergency_block(country, t, b)
        lines = [
            phone(country, org, line, t) for org in country.organisations for line in org.phones[:1]
        ]
        if lines:
            b.para(t._("Support lines:"), *lines)
        dates = [line.reviewed for line in country.emergency] + [
            o.reviewed for o in country.organisations
        ]
        b.para(checked(t, dates))
        return
    b.para(t._("If you are in danger, call the emergency number of the country you are in:"))
    for other in content.countries:
        numbers = ", ".join(
            f"{t.c(line.label)} {display_number(line.phone, other.id)}" for line in other.emergency
        )
        b.para(f"{t.c(other.name)}: {numbers}")
        if other.id != ANY_COUNTRY:
            b.button(
                t.c(other.name),
                v.PickCountry(other.id),
                same_row=bool(b.rows) and len(b.rows[-1]) < 2,
            )
    dates = [line.reviewed for c in content.countries for line in c.emergency]
    if dates:
        b.para(checked(t, dates))
    b.para(t._("Choose your country to see its support lines."))
