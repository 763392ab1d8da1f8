"""HTML pages from Jinja2 templates (``bot/tools/templates/``), escaped by the template.

Autoescape is on for every template, so a translation or a content string can never
become markup; what is markup already (the QR code's SVG) is passed as :class:`Markup`.
The web chat will render its pages the same way.
"""

from __future__ import annotations

import functools
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

__all__ = ["Markup", "render"]


@functools.cache
def environment() -> Environment:
    """The one environment: templates shipped in the package, autoescaped, strict."""
    return Environment(
        loader=PackageLoader("bot.tools", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(template: str, **values: Any) -> str:
    """``template`` (a file name under ``templates/``) filled with ``values``."""
    return environment().get_template(template).render(**values)
