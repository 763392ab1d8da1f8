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

# One run that must keep left-to-right order: a URL, an e-mail address, a phone number or
# other number (digits with spaces, dots, dashes, slashes or a leading +), or Latin-script
# words (names such as "ASTRA – Anti Trafficking Action").
_LTR_RUN = re.compile(
    r"""
    https?://\S+[^\s.,;:!?)\]]                  # URL
    | [\w.+-]+@[\w-]+(?:\.[\w-]+)+               # e-mail
    | \+?\d[\d\s./()-]*\d(?:\s?[%])?             # phone number or number
    | \d                                         # single digit
    | [A-Za-z\u00C0-\u024F][A-Za-z\u00C0-\u024F0-9'’.&-]*
      (?:[ \u2013\u2014-]+[A-Za-z\u00C0-\u024F0-9][A-Za-z\u00C0-\u024F0-9'’.&-]*)*
                                                 # Latin words, with spaces and dashes
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
    # Sentence punctuation after a run belongs to the surrounding right-to-left sentence.
    run = match.group(0)
    core = run.rstrip(".,;:-–— ")
    return isolate(core) + run[len(core) :]
