"""Right-to-left text: keep numbers, phone numbers, URLs and Latin names in reading order.

In an Arabic line, a phone number such as ``+381 11 785 0000`` or a name such as ``ASTRA``
is laid out by the Unicode bidi algorithm, which can move the ``+`` or split the digits.
Wrapping such runs in FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE (U+2068 … U+2069)
makes each one a unit that keeps its own direction.
"""

from __future__ import annotations

import re

FSI = "\u2068"
PDI = "\u2069"

# Letters of Latin script: the accented ones of Latin-1 and Latin Extended-A/B, combining
# accents, and Latin Extended Additional (Vietnamese "Tiếng Việt").
_LATIN = "A-Za-z\u00c0-\u024f\u0300-\u036f\u1e00-\u1eff"
# Inside a Latin word: digits and the punctuation of names, sites and legal citations
# ("O'Brien", "www.astra.rs", "24/2018"), and a short bracketed part such as "40(1)".
_WORD = rf"(?:[{_LATIN}0-9'’.&/-]|\([{_LATIN}0-9]{{1,6}}\))*"

# One run that must keep left-to-right order: a URL, an e-mail address, a phone number or
# other number (digits with spaces, dots, dashes, slashes, colons, bracketed digits or a
# leading +, so that "+381 11 785 0000", "24/2018", "57(1)" and "9:00" each stay one unit,
# but never across a line break or an unbalanced bracket), or Latin-script words (names
# such as "ASTRA – Anti Trafficking Action", citations such as "Article 40(1)").
_LTR_RUN = re.compile(
    rf"""
    (?P<command>(?<![\w/])/[A-Za-z][A-Za-z0-9_]*)  # a bot command: left as it is
    | https?://\S+[^\s.,;:!?)\]]                # URL
    | [\w.+-]+@[\w-]+(?:\.[\w-]+)+               # e-mail
    | \+?\d(?:[ \u00a0\u202f./:\u2013-]*(?:\d|\(\d{{1,6}}\)))*(?:\ ?%)?  # number, phone

    | [{_LATIN}]{_WORD}
      (?:[ \u2013\u2014-]+[{_LATIN}0-9]{_WORD})*   # Latin words, with spaces and dashes
    """,
    re.VERBOSE,
)


def isolate(text: str) -> str:
    """Wrap ``text`` in a first-strong isolate."""
    return f"{FSI}{text}{PDI}"


def isolate_ltr_runs(text: str) -> str:
    """Wrap every left-to-right run (numbers, phones, URLs, e-mails, Latin words) of ``text``.

    Runs already inside an isolate are left alone, so the function can be applied twice.
    """
    if FSI in text:
        parts = re.split(f"({FSI}.*?{PDI})", text, flags=re.DOTALL)
        return "".join(p if p.startswith(FSI) else isolate_ltr_runs(p) for p in parts)
    return _LTR_RUN.sub(_isolate_match, text)


def _isolate_match(match: re.Match[str]) -> str:
    run = match.group(0)
    if match.group("command"):
        # Telegram only recognises "/language" as a command when nothing splits it.
        return run
    # Sentence punctuation after a run belongs to the surrounding right-to-left sentence.
    core = run.rstrip(".,;:-–— ")
    return isolate(core) + run[len(core) :]
