"""The terminal chat: the whole bot in a terminal, no Telegram token needed."""
