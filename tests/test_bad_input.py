"""Bad input through the Telegram adapter (in-process, at the HTTP seam).

Whatever a user (or a broken client, or someone probing the bot) sends: the bot answers with
exactly one screen, answers every button press exactly once, never raises, and never lets
one chat's flood slow down the others.
"""

from __future__ import annotations

import asyncio
import random
import sys
import unicodedata
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.content import Content
from bot.telegram.flood import BURST, FloodGate
from tests.support.bot_client import BotClient
from tests.support.privacy import find_leaks

OTHER_CHAT = 424242777


class FrozenClock:
    """Monotonic time that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def client(tmp_path: Path, engine_content: Content) -> AsyncIterator[BotClient]:
    # These tests send fast on purpose: neither Telegram's overall limit (30 messages a
    # second, drilled with 429s in test_drills) nor the flood limit (tested below) applies.
    bot = await BotClient.start(tmp_path, engine_content, settings={"rate_limit": 0})
    bot.runtime.conversations.flood = FloodGate(burst=sys.maxsize)
    yield bot
    await bot.close()


def sends(client: BotClient) -> int:
    return len([c for c in client.telegram.calls_to("sendMessage") if c.ok])


async def answered_with_one_screen(client: BotClient, text: str) -> None:
    """Send ``text``; exactly one new message, and it is a screen with the footer."""
    before = sends(client)
    await client.send(text)
    assert sends(client) == before + 1, repr(text[:40])
    assert "✖ Hide" in client.labels()


def emoji_sample() -> list[str]:
    """Every emoji code point Python's Unicode data knows, plus sequences built from them."""
    blocks = [
        (0x1F300, 0x1F5FF),  # symbols and pictographs
        (0x1F600, 0x1F64F),  # emoticons
        (0x1F680, 0x1F6FF),  # transport and map
        (0x1F700, 0x1F77F),  # alchemical
        (0x1F900, 0x1F9FF),  # supplemental symbols and pictographs
        (0x1FA70, 0x1FAFF),  # symbols and pictographs extended-A
        (0x2600, 0x27BF),  # miscellaneous symbols, dingbats
    ]
    singles = [
        chr(c)
        for low, high in blocks
        for c in range(low, high + 1)
        if unicodedata.category(chr(c)) != "Cn"
    ]
    letters = [chr(0x1F1E6 + i) for i in range(26)]
    flags = [a + b for a in letters for b in letters]  # every regional-indicator pair
    tones = [chr(c) for c in range(0x1F3FB, 0x1F400)]
    toned = ["👋" + tone for tone in tones] + ["🧑" + tone + "\u200d🦰" for tone in tones]
    families = [
        "👨\u200d👩\u200d👧\u200d👦",
        "🏳️\u200d🌈",
        "🏴\u200d☠️",
        "❤️\u200d🔥",
        "🧑\u200d🤝\u200d🧑",
    ]
    keycaps = [k + "\ufe0f\u20e3" for k in "0123456789#*"]
    tags = ["🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"]  # England
    return singles + flags + toned + families + keycaps + tags


def test_the_emoji_sample_is_broad() -> None:
    sample = emoji_sample()
    assert len(sample) > 2000
    assert "😀" in sample and "🇷🇸" in sample and "🫠" in sample


async def test_messages_of_4096_characters(client: BotClient) -> None:
    await client.send("/start")
    for text in [
        "a" * 4096,
        ("my boss took my passport " * 200)[:4096],
        ("паспорт " * 600)[:4096],
        ("جواز السفر " * 400)[:4096],
        ("😀" * 4096),
        ("x" * 4095) + "🇷🇸",
    ]:
        await answered_with_one_screen(client, text)


async def test_every_emoji(client: BotClient) -> None:
    await client.send("/start")
    sample = emoji_sample()
    # Alone, one by one, for a spread of them; then all of them, 200 to a message.
    for emoji in random.Random(9).sample(sample, 60):
        await answered_with_one_screen(client, emoji)
    for start in range(0, len(sample), 200):
        await answered_with_one_screen(client, "".join(sample[start : start + 200]))


@pytest.mark.parametrize(
    "text",
    [
        "مرحبا، أحتاج مساعدة",  # Arabic
        "שלום, אני צריך עזרה",  # Hebrew
        "\u202eevil\u202c reversed",  # right-to-left override
        "\u2067isolate\u2069 \u2066ltr\u2069 \u2068first\u2069",
        "\u200f\u200e\u061c marks",
        "zero\u200bwidth\u200cnon\u200djoiner\ufeff\u2060",
        "\u200b" * 50,
        "\ufeff",
        "a\u0301\u0301\u0301\u0301\u0301 zalgo\u0336\u0337\u0338",
        "passport\u200b",
        "danger\u00ad",
    ],
)
async def test_right_to_left_and_zero_width_text(client: BotClient, text: str) -> None:
    await client.send("/start")
    await answered_with_one_screen(client, text)


@pytest.mark.parametrize(
    "text",
    [
        "".join(chr(c) for c in range(1, 32)),
        "\x00null\x00",
        "\x7f\x80\x85\x9f",
        "line\nbreaks\r\nand\ttabs",
        "\x1b[31mred\x1b[0m",
        "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
        "\U0010ffff\ufffe\uffff",
        "<b>not html</b> &amp; <script>alert(1)</script>",
        "%s %d {0} {name} ${HOME} `id`",
    ],
)
async def test_control_characters_and_markup(client: BotClient, text: str) -> None:
    await client.send("/start")
    await answered_with_one_screen(client, text)


@pytest.mark.parametrize(
    "command",
    [
        "/start " + "x" * 4000,
        "/start 💥💥💥",
        "/start \u202eRS-ar",
        "/start ../../etc/passwd",
        "/start a b c d e f",
        "/start@pathways_test_bot e2e_poster",
        "/start@some_other_bot",
        "/START",
        "/help me please now",
        "/language 💥 ar zz",
        "/privacy \x00\x01",
        "/reset ; DROP TABLE sessions; --",
        "/nonsense with arguments",
        "/",
        "//",
        "/" + "a" * 300,
    ],
)
async def test_commands_with_junk_arguments(client: BotClient, command: str) -> None:
    await client.send("/start")
    await answered_with_one_screen(client, command)


async def test_exit_with_junk_arguments_still_hides(client: BotClient) -> None:
    await client.send("/start")
    await client.send("/exit now please 💥")
    assert client.telegram.all_messages(client.chat_id) == []


@pytest.fixture
async def forged_target(client: BotClient) -> BotClient:
    await client.send("/start")
    await client.click("Continue")
    return client


@settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
@given(
    data=st.one_of(
        st.text(max_size=80),
        st.binary(min_size=1, max_size=64).map(lambda b: b.decode("latin-1")),
        st.from_regex(r"\Av[0-9]:[0-9a-z]{0,7}:[0-9a-z]{0,3}\Z"),
        st.from_regex(r"\A[0-9a-z:]{1,64}\Z"),
    )
)
async def test_1000_random_callback_data_strings(forged_target: BotClient, data: str) -> None:
    client = forged_target
    update = client.telegram.user_clicks(client.chat_id, client.screen_message().message_id, data)
    await client.process(update)
    query = update["callback_query"]["id"]
    assert client.telegram.answers_per_query()[query] == 1
    text, labels = client.last_screen()
    assert text and "✖ Hide" in labels


# -- flooding --------------------------------------------------------------------------


@pytest.fixture
async def flooded(
    tmp_path: Path, engine_content: Content
) -> AsyncIterator[tuple[BotClient, FrozenClock]]:
    bot = await BotClient.start(tmp_path, engine_content)
    clock = FrozenClock()
    bot.runtime.conversations.flood = FloodGate(clock=clock)
    yield bot, clock
    await bot.close()


def notes(client: BotClient) -> list[str]:
    return [
        m.text or ""
        for m in client.telegram.bot_messages(client.chat_id)
        if "sending messages very fast" in (m.text or "")
    ]


async def test_a_flooding_user_is_limited_with_one_note_and_others_are_not(
    flooded: tuple[BotClient, FrozenClock],
) -> None:
    client, clock = flooded
    other = BotClient(client.app, client.runtime, client.telegram, OTHER_CHAT)
    client.telegram.add_user(OTHER_CHAT)
    await client.send("/start")
    # 100 messages at once, and the other user starting in the middle of them.
    flood = [client.send(f"spam {i}") for i in range(100)]
    await asyncio.gather(*flood[:50], other.send("/start"), *flood[50:])
    screens = [m for m in client.telegram.bot_messages(client.chat_id) if m.reply_markup]
    assert len(screens) == BURST  # /start and BURST - 1 of the flood
    assert len(notes(client)) == 1
    assert "Welcome" in other.last_screen()[0]
    # More of the same in the next seconds: still no second note.
    clock.now += 5
    for i in range(20):
        await client.send(f"more spam {i}")
    assert len(notes(client)) == 1
    # Having waited, the user is served again.
    clock.now += 60
    before = sends(client)
    await client.send("/help")
    assert sends(client) == before + 1
    assert "Hide: delete this conversation" in client.last_screen()[0]


async def test_a_flood_of_button_presses_is_answered_once_each(
    flooded: tuple[BotClient, FrozenClock],
) -> None:
    client, _ = flooded
    await client.send("/start")
    message = client.screen_message()
    data = client.buttons()[0][1]
    updates = [
        client.telegram.user_clicks(client.chat_id, message.message_id, data) for _ in range(40)
    ]
    await asyncio.gather(*(client.process(u) for u in updates))
    answers = client.telegram.answers_per_query()
    assert all(answers[u["callback_query"]["id"]] == 1 for u in updates)
    texts = [c.params.get("text") for c in client.telegram.calls_to("answerCallbackQuery") if c.ok]
    assert sum(1 for t in texts if t) == 1, texts


async def test_exit_works_during_a_flood_and_deletes_the_dropped_messages(
    flooded: tuple[BotClient, FrozenClock], tmp_path: Path
) -> None:
    client, _ = flooded
    await client.send("/start")
    for i in range(60):
        await client.send(f"my secret message {i}")
    assert len(client.telegram.all_messages(client.chat_id)) > 60
    await client.send("/exit")
    assert client.telegram.all_messages(client.chat_id) == []
    # The limiter kept nothing on disk.
    await client.runtime.stop(client.app)
    files = [p for p in tmp_path.iterdir() if p.name.startswith("pathways.sqlite3")]
    assert find_leaks(files, [client.chat_id, "my secret message"]) == []


def test_idle_buckets_are_forgotten() -> None:
    clock = FrozenClock()
    gate = FloodGate(clock=clock)
    for chat in range(1000, 1100):
        gate.check(chat)
    assert len(gate) == 100
    clock.now += 3600
    gate.check(1)
    assert len(gate) == 1


def test_the_gate_refills_at_its_rate() -> None:
    clock = FrozenClock()
    gate = FloodGate(burst=3, rate=1.0, clock=clock)
    verdicts = [gate.check(7).value for _ in range(5)]
    assert verdicts == ["admit", "admit", "admit", "drop with note", "drop"]
    clock.now += 1.0
    assert gate.check(7).value == "admit"
    assert gate.check(7).value == "drop"
