"""The Telegram adapter: python-telegram-bot updates in, engine screens out.

Only this package imports ``telegram``.
"""

import os

# Opt in to python-telegram-bot's future behaviour (time periods as timedelta): its
# RetryAfter otherwise warns on every 429, and nothing here reads the old int form.
os.environ.setdefault("PTB_TIMEDELTA", "true")
