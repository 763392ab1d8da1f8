"""Telegram's limits that content must respect, in one place."""

#: Bot API sendMessage / editMessageText: 1-4096 characters after entities parsing.
MESSAGE_MAX = 4096
#: What we aim for, so a screen fits a phone without scrolling.
MESSAGE_AIM = 500
#: Bot API InlineKeyboardButton.callback_data: 1-64 bytes.
CALLBACK_DATA_MAX_BYTES = 64
#: Telegram has no hard limit on button text, but long labels are cut off on phones.
LABEL_MAX = 64
#: More buttons than this do not fit on a phone screen.
OPTIONS_MAX = 12
#: Slug ids stay short so they fit anywhere we may need them (logs, counters, links).
SLUG_MAX = 40
