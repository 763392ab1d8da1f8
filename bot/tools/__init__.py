"""Tools for NGOs and content editors: campaign links with QR codes and printable flyers,
flow diagrams and a static preview of every screen.

Nothing here runs inside a conversation; the commands live in :mod:`bot.cli`.
"""
