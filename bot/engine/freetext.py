"""Match what a user typed against the content, in their language.

Matching is accent- and case-insensitive and tolerates typos. The text is used only for
this match and then dropped: it is never returned, stored or logged.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from bot.content.model import Content, Country, Node
from bot.engine.views import NodeView, PathwayView

#: How similar a typed word must be to a keyword (0..1) to count as a typo of it.
TYPO_RATIO = 0.8
MAX_SUGGESTIONS = 3
_WORD = re.compile(r"\w+")


def normalise(text: str) -> str:
    """Lower-case, accents removed, punctuation folded to spaces (works for any script)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_WORD.findall(stripped))


@dataclass(frozen=True)
class Suggestion:
    """A place in the content that matches the typed text."""

    view: NodeView | PathwayView
    label: str
    score: float
    #: Whether it is about danger (so Help now is offered first).
    danger: bool = False


#: Scripts written without spaces between words (CJK ideographs, kana).
_UNSPACED = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
#: Marks a keyword that only matches as typed (after normalising), with no typo tolerance.
_EXACT = "\x00"


def _word_score(word: str, keyword: str) -> float:
    if word == keyword:
        return 1.0
    if len(word) < 4 or len(keyword) < 4:
        return 0.0  # short words are too easy to confuse
    ratio = difflib.SequenceMatcher(None, word, keyword).ratio()
    return ratio if ratio >= TYPO_RATIO else 0.0


def score(typed: str, keywords: list[str]) -> float:
    """How well normalised ``typed`` matches any of the normalised ``keywords`` (0..1)."""
    words = typed.split()
    best = 0.0
    for keyword in keywords:
        if not keyword:
            continue
        exact = keyword.startswith(_EXACT)
        keyword = keyword.removeprefix(_EXACT)
        if f" {keyword} " in f" {typed} ":
            return 1.0
        if _UNSPACED.search(keyword) and keyword.replace(" ", "") in typed.replace(" ", ""):
            # Chinese and Japanese put no spaces between words: a keyword anywhere counts.
            return 1.0
        if exact:
            continue
        parts = keyword.split()
        # A multi-word keyword matches when each of its words matches some typed word.
        part_scores = [max((_word_score(w, p) for w in words), default=0.0) for p in parts]
        best = max(best, min(part_scores) * (0.95 if len(parts) > 1 else 1.0))
    return best


def _node_keywords(node: Node, translate: Callable[[str, str], str]) -> list[str]:
    raw = [node.title] if node.title else []
    texts = [translate(t, node.context) for t in raw]
    if node.keywords:
        texts += translate(node.keywords, node.context).split(",")
    return [normalise(t) for t in texts]


def _candidates(
    content: Content,
    country: Country | None,
    translate: Callable[[str, str], str],
    other_languages: Sequence[Callable[[str, str], str]],
) -> Iterator[tuple[NodeView | PathwayView, str, list[str], bool]]:
    for node in content.main.nodes:
        if node.topic:
            label = translate(node.title, node.context) if node.title else node.id
            keywords = _node_keywords(node, translate)
            danger = "emergency" in node.show
            if danger:
                # Someone in danger may type in their own language whatever language the
                # screens are in: words of danger count in every language we have. Only
                # whole words, though: a typo-tolerant match across languages finds false
                # friends (French "asile" is one letter from Serbian "nasilje").
                foreign = {k for other in other_languages for k in _node_keywords(node, other)}
                keywords += [_EXACT + k for k in sorted(foreign - set(keywords)) if k]
            yield (NodeView(node.id), label, keywords, danger)
    if country is not None:
        for pathway in country.pathways:
            title = translate(pathway.title, "")
            yield PathwayView(pathway.id), title, [normalise(title)], False


def suggest(
    content: Content,
    country: Country | None,
    typed: str,
    translate: Callable[[str, str], str],
    other_languages: Sequence[Callable[[str, str], str]] = (),
) -> list[Suggestion]:
    """Up to three places in the content that match ``typed``, best first.

    ``translate(text, context)`` gives a content string in the user's language;
    ``other_languages`` are the same for every other language, used for words of danger.
    """
    text = normalise(typed)
    if not text:
        return []
    found = []
    for view, label, keywords, danger in _candidates(content, country, translate, other_languages):
        value = score(text, keywords)
        if value > 0:
            found.append(Suggestion(view, label, value, danger))
    found.sort(key=lambda s: (-s.score, not s.danger))
    return found[:MAX_SUGGESTIONS]
