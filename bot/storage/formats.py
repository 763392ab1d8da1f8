"""What the counters report can render: its formats and views.

A leaf (no database code), so the command line can offer them without loading storage.
"""

from __future__ import annotations

from typing import Literal

Format = Literal["table", "csv", "json"]
View = Literal["kind", "campaign"]
FORMATS: tuple[Format, ...] = ("table", "csv", "json")
VIEWS: tuple[View, ...] = ("kind", "campaign")
