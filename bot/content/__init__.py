"""Content: YAML question trees, countries, pathways and organisations, loaded and validated.

This package never imports ``telegram`` or ``aiosqlite``: it is pure data and checks.
"""

from bot.content.loader import load_content, read_content
from bot.content.model import Content, Country, Flow, Node, Option, Organisation, Pathway
from bot.content.problems import ContentError, Problem

__all__ = [
    "Content",
    "ContentError",
    "Country",
    "Flow",
    "Node",
    "Option",
    "Organisation",
    "Pathway",
    "Problem",
    "load_content",
    "read_content",
]
