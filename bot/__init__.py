"""Pathways: anonymous, multilingual information for people trafficked into Europe."""

__version__ = "0.1.0"
