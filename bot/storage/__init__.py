"""Storage: one SQLite connection, pseudonymous sessions with a TTL, anonymous counters.

See ``docs/PRIVACY.md`` for the rules: sessions are keyed by an HMAC of the chat id,
expire when idle, are deleted (and overwritten) at once on the quick exit, and counters are
per-day aggregates with small counts suppressed in exports.
"""
