"""Internationalisation: gettext catalogs, language negotiation and bidirectional text."""
