"""Tools for NGOs and content editors: campaign links with QR codes and printable flyers,
flow diagrams, a static preview of every screen, and live reloading of content.

Nothing here runs inside a conversation; the commands live in :mod:`bot.tools.cli`.
"""
