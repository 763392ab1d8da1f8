"""One function per view: each fills a :class:`Builder` and returns the screen's title.

They see the content, the translator, the view and the facts gathered, and nothing of the
session (its history, nonce or buttons): that is what makes a drawn screen safe to reuse.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.content.model import Content, Country, FactValue, Node, Pathway
from bot.engine import views as v
from bot.engine.commands import HOWTO_LINES, PRIVACY_NODE
from bot.engine.pathways import (
    country_for,
    helping_organisations,
    holds,
    known_country,
    matching_pathways,
    shown_node,
)
from bot.engine.render import blocks
from bot.engine.render.text import Builder, Text
from bot.engine.screens import Tally
from bot.engine.translator import N_

#: Said on the privacy screen in a language no native speaker has checked yet.
MACHINE_TRANSLATION_NOTE = N_(
    "This language was translated by machine and not yet checked by a native speaker. "
    "If something is unclear, ask an organisation, or change the language with /language."
)


@dataclass(frozen=True)
class Scene:
    """What a screen function may look at."""

    content: Content
    #: The language asked for (``t.language`` is the one shown, perhaps the default).
    language: str
    facts: dict[str, FactValue]
    t: Text
    b: Builder


def view_screen(scene: Scene, view: str) -> tuple[str, str, list[Tally]]:
    """Fill the scene for ``view``; returns (title, view actually shown, tallies)."""
    parsed = v.parse_view(view)
    match parsed:
        case v.Page("language"):
            return languages_screen(scene), view, []
        case v.Page("help"):
            return help_screen(scene), view, []
        case v.Page("howto"):
            return howto_screen(scene), view, []
        case v.Page("orgs"):
            return orgs_screen(scene), view, []
        case v.Suggestions(views):
            return suggestions_screen(scene, views), view, []
        case v.PathwayView(pathway_id):
            found = scene.content.pathway(pathway_id)
            if found is not None:
                return pathway_screen(scene, found[0], found[1]), view, []
        case v.NodeView(node_id):
            # A stored view may name a node whose condition no longer holds (Back after the
            # country changed): show the node the user would reach now.
            flow = scene.content.main
            node = flow.node(shown_node(flow, node_id, scene.facts))
            if node is not None:
                return node_screen(scene, node)
    # The view no longer exists (content changed since the session was saved).
    menu = scene.content.main.node(scene.content.main.menu)
    assert menu is not None
    return node_screen(scene, menu)


def node_screen(scene: Scene, node: Node) -> tuple[str, str, list[Tally]]:
    """A node of the flow: its text, blocks it asks for, its options or Continue."""
    content, facts, t, b = scene.content, scene.facts, scene.t, scene.b
    view = str(v.NodeView(node.id))
    if node.type == "result":
        return t.c(node.title, node.context), view, result_screen(scene, node)
    if node.type == "question":
        blocks.recorded_line(content, facts, t, b)
    b.para(t.c(node.text, node.context))
    if node.id == PRIVACY_NODE and not t.language.reviewed:
        b.para(t._(MACHINE_TRANSLATION_NOTE))
    if node.reviewed is not None:
        whom = blocks.whom(content, facts, t)
        b.para(blocks.provenance_line(t, node.reviewed, node.confidence, whom))
    if "emergency" in node.show:
        blocks.help_block(content, known_country(content, facts), t, b)
    country = country_for(content, facts)
    if "organisations" in node.show and country is not None:
        blocks.organisations_block(country, country.organisations, t, b)
    for option in node.options:
        if holds(option.when, facts):
            b.button(t.c(option.label, node.context), v.Answer(option.id))
    if node.next and node.type != "question":
        # On a question, ``next`` is only where a skipped question leads (see ``when``).
        b.button(t._(blocks.CONTINUE), v.NEXT)
    return t.c(node.title, node.context), view, []


def result_screen(scene: Scene, node: Node) -> list[Tally]:
    """A result node: the pathways that fit the facts, and who can help."""
    content, facts, t, b = scene.content, scene.facts, scene.t, scene.b
    country = country_for(content, facts)
    if country is None:
        b.para(t._("I need to know which country you are in first. Please go back and choose it."))
        return []
    pathways = matching_pathways(country, facts)
    b.para(t.c(node.text, node.context))
    if not pathways:
        b.para(
            t._(
                "I found no route that fits every answer. An organisation below can look at your situation with you."
            )
        )
    for number, pathway in enumerate(pathways, start=1):
        whom = blocks.whom_for(country, pathway, t)
        b.para(
            f"{number}. {t.c(pathway.title)}",
            f"⚖ {blocks.statement(t, pathway.legal_basis, whom)}",
        )
        b.button(f"{number}. {t.c(pathway.title)}", v.Go(v.PathwayView(pathway.id)))
    orgs = helping_organisations(country, pathways, scene.language)
    if orgs:
        blocks.organisations_block(country, orgs, t, b, short=True)
        # Translators: button label
        b.button(t._("Who can help"), v.Go(v.ORGS))
    reviewed = [p.reviewed for p in pathways] + [o.reviewed for o in orgs]
    if reviewed:
        b.para(blocks.checked(t, reviewed))
    return [Tally("node", node.id), *(Tally("pathway", p.id) for p in pathways)]


def pathway_screen(scene: Scene, country: Country, pathway: Pathway) -> str:
    """One legal pathway: what it is, why it may fit, each of its statements."""
    facts, t, b = scene.facts, scene.t, scene.b
    whom = blocks.whom_for(country, pathway, t)
    b.para(blocks.statement(t, pathway.summary, whom))
    if pathway.fits_because and holds(pathway.when, facts):
        b.para(t._("Why it may fit you: {reason}", reason=t.c(pathway.fits_because)))
    labels = {
        "legal_basis": t._("⚖ Legal basis"),
        "decides": t._("🏛 Who decides"),
        "gives": t._("✅ What it gives"),
        "conditions": t._("📋 Conditions"),
        "first_step": t._("👣 First step"),
        "caution": t._("⚠ Be aware"),
    }
    for name, statement in pathway.statements():
        if name in labels:
            b.para(f"{labels[name]}: {blocks.statement(t, statement, whom)}")
    orgs = helping_organisations(country, [pathway], scene.language)
    if orgs:
        blocks.organisations_block(country, orgs, t, b, short=True)
        # Translators: button label
        b.button(t._("Who can help"), v.Go(v.ORGS))
    dates = [s.reviewed for _, s in pathway.statements()] + [o.reviewed for o in orgs]
    b.para(blocks.checked(t, dates))
    return t.c(pathway.title)


def orgs_screen(scene: Scene) -> str:
    """Every organisation of the user's country, those speaking their language first."""
    t, b = scene.t, scene.b
    country = country_for(scene.content, scene.facts)
    if country is None or not country.organisations:
        b.para(t._("I have no organisations listed for this country yet. In danger, use Help now."))
        return t._("Who can help")
    orgs = helping_organisations(country, [], scene.language)
    blocks.organisations_block(country, orgs, t, b)
    b.para(blocks.checked(t, (o.reviewed for o in orgs)))
    return t._("Who can help")


def help_screen(scene: Scene) -> str:
    """Help now: the emergency and support numbers (of every country, if none is known)."""
    t = scene.t
    country = known_country(scene.content, scene.facts)
    blocks.help_block(scene.content, country, t, scene.b)
    if country is not None:
        return t._("🆘 Help now: {country}", country=t.c(country.name))
    return t._("🆘 Help now")


def howto_screen(scene: Scene) -> str:
    """How to use the bot: buttons, the footer, the commands."""
    t, b = scene.t, scene.b
    b.para(
        t._(
            'Tap the buttons to answer. You can also type one or two words, such as "danger" or "asylum".'
        )
    )
    b.para(
        t._("At the bottom of every screen:"),
        t._("◀ Back: the previous screen"),
        t._("☰ Menu: all topics"),
        t._("🆘 Help now: emergency numbers"),
        t._("✖ Hide: delete this conversation at once"),
    )
    b.para(t._("Commands:"), *(t._(line) for line in HOWTO_LINES))
    return t._("How to use this bot")


def languages_screen(scene: Scene) -> str:
    """The language picker, marking machine-translated languages."""
    t, b = scene.t, scene.b
    b.para(t._("Choose your language."))
    languages = list(t.translator.languages)
    if any(not lang.reviewed for lang in languages):
        b.para(t._("* Translated by machine, not yet checked by a native speaker."))
    for i, lang in enumerate(languages):
        label = lang.native_name + ("" if lang.reviewed else " *")
        b.button(label, v.PickLanguage(lang.code), same_row=i % 2 == 1)
    return "🌐"


def suggestions_screen(scene: Scene, views: tuple[v.View, ...]) -> str:
    """Topics found for typed text, one button each."""
    t, b = scene.t, scene.b
    b.para(t._("This may be what you are looking for:"))
    shown: set[str] = set()
    for view in views:
        label = view_label(scene, view)
        # Two buttons that read the same (the Help now topic beside "🆘 Help now") would
        # only make the choice harder: keep the first.
        key = "".join(ch for ch in label.casefold() if ch.isalnum())
        if label and key not in shown:
            shown.add(key)
            b.button(label, v.HELP_NOW if view == v.HELP else v.Go(view))
    return ""


def view_label(scene: Scene, view: v.View) -> str:
    """The label of a button that opens ``view`` (a suggestion)."""
    t = scene.t
    match view:
        case v.Page("help"):
            return t._("🆘 Help now")
        case v.NodeView(node_id):
            node = scene.content.main.node(node_id)
            return t.c(node.title or node.id, node.context) if node else ""
        case v.PathwayView(pathway_id):
            found = scene.content.pathway(pathway_id)
            return t.c(found[1].title) if found else ""
    return ""
