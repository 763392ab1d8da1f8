"""The Telegram adapter, offline at the HTTP seam, through Application.process_update."""

from __future__ import annotations

import logging
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.error import NetworkError

from bot.content import Content, load_content
from bot.engine.screens import Button, Screen
from bot.engine.state import NONCE_MODULUS
from bot.telegram import callback_data
from bot.telegram.handlers import TELEGRAM_TIP
from bot.telegram.render import messages
from tests.conftest import TODAY
from tests.support.bot_client import BotClient
from tests.support.fake_telegram import ApiError, FakeRequest, FakeTelegram

FOOTER = ["◀ Back", "☰ Menu", "🆘 Help now", "✖ Hide"]


@pytest.fixture
async def client(tmp_path: Path, engine_content: Content) -> AsyncIterator[BotClient]:
    bot = await BotClient.start(tmp_path, engine_content)
    yield bot
    await bot.close()


async def to_result(client: BotClient) -> None:
    await client.send("/start")
    for label in ["Continue", "Find my options", "Serbia", "Yes", "Yes"]:
        await client.click(label)


async def test_start_shows_welcome_with_the_telegram_tip_and_footer(client: BotClient) -> None:
    await client.send("/start")
    text, labels = client.last_screen()
    assert "Welcome. Nothing here asks for your name." in text
    assert "Auto-Delete" in text and TELEGRAM_TIP.split(":")[0] in text
    assert labels[-4:] == FOOTER


async def test_buttons_edit_one_message_in_place(client: BotClient) -> None:
    await client.send("/start")
    for label in ["Continue", "Find my options", "Serbia"]:
        await client.click(label)
    assert len(client.telegram.bot_messages(client.chat_id)) == 1
    assert len(client.telegram.calls_to("editMessageText")) == 3
    assert "Are you safe right now?" in client.last_screen()[0]


async def test_every_screen_goes_out_with_its_keyboard_and_no_link_preview(
    client: BotClient,
) -> None:
    # Keyboards and the preview option travel as api_kwargs (render.OutgoingMessage): they
    # must reach the Bot API on every message sent or edited.
    await to_result(client)
    calls = client.telegram.calls_to("sendMessage") + client.telegram.calls_to("editMessageText")
    assert len(calls) == 6
    for call in calls:
        assert call.params["link_preview_options"] == {"is_disabled": True}
        rows = call.params["reply_markup"]["inline_keyboard"]
        assert [b["text"] for row in rows for b in row][-4:] == FOOTER
        assert all(callback_data.decode(b["callback_data"]) for row in rows for b in row)


async def test_every_callback_query_is_answered(client: BotClient) -> None:
    await to_result(client)
    await client.press(client.screen_message().message_id, "forged")
    queries = list(client.telegram.calls_to("answerCallbackQuery"))
    assert len(queries) == 6
    assert all(c.ok for c in queries)


async def test_result_shows_pathways_with_legal_basis_and_phone(client: BotClient) -> None:
    await to_result(client)
    text, labels = client.last_screen()
    assert "1. Stay as a victim" in text and "Test Act, Art. 1" in text
    assert "+381 11 7850000" in text
    assert "1. Stay as a victim" in labels


async def test_html_is_escaped(tmp_path: Path, engine_content: Content) -> None:
    screen = Screen(text="a < b & <script>", title="<b>", rows=((Button("x", 0),),), nonce=1)
    html = messages(screen)[0].html
    assert "&lt;script&gt;" in html and "<b>&lt;b&gt;</b>" in html


@pytest.mark.parametrize("command", ["/help", "/language", "/privacy", "/reset", "/nonsense"])
async def test_every_command_answers_with_a_screen(client: BotClient, command: str) -> None:
    await client.send("/start")
    await client.send(command)
    text, labels = client.last_screen()
    assert text
    assert "✖ Hide" in labels


async def test_help_command_explains_the_buttons(client: BotClient) -> None:
    await client.send("/help")
    assert "Hide: delete this conversation" in client.last_screen()[0]


async def test_reset_forgets_the_answers(client: BotClient) -> None:
    await to_result(client)
    await client.send("/reset")
    text, _ = client.last_screen()
    assert "answers are cleared" in text


@pytest.mark.parametrize("label", FOOTER[:3])
async def test_footer_actions(client: BotClient, label: str) -> None:
    await to_result(client)
    await client.click(label)
    text, _ = client.last_screen()
    expected = {
        "◀ Back": "Are you afraid",
        "☰ Menu": "What would you like to do?",
        "🆘 Help now": "Police: 192",
    }
    assert expected[label] in text


async def test_hide_deletes_every_message_and_forgets_the_session(client: BotClient) -> None:
    await to_result(client)
    await client.send("hello")  # a user message too
    assert client.telegram.all_messages(client.chat_id)
    await client.click("Hide")
    assert client.telegram.all_messages(client.chat_id) == []
    # The session is gone: the next message starts afresh.
    await client.send("/help")
    await client.click("Menu")
    assert "What would you like to do?" in client.last_screen()[0]


async def test_exit_command_deletes_everything(client: BotClient) -> None:
    await to_result(client)
    await client.send("/exit")
    assert client.telegram.all_messages(client.chat_id) == []
    assert not any(c.method == "sendMessage" for c in client.telegram.calls[-3:])


async def test_wipe_falls_back_to_deleting_one_by_one(client: BotClient) -> None:
    await to_result(client)
    client.telegram.fail("deleteMessages", ApiError(400, "Bad Request: message can't be deleted"))
    await client.send("/exit")
    assert client.telegram.all_messages(client.chat_id) == []
    assert client.telegram.calls_to("deleteMessage")


async def test_wipe_deletes_in_batches_of_at_most_100(client: BotClient) -> None:
    await client.send("/start")
    for _ in range(120):
        await client.send("qwertyuiop")
    await client.send("/exit")
    batches = [c for c in client.telegram.calls_to("deleteMessages") if c.ok]
    assert len(batches) >= 2 and all(len(c.params["message_ids"]) <= 100 for c in batches)
    assert client.telegram.all_messages(client.chat_id) == []


@pytest.mark.parametrize(
    "data", ["forged", "", "v1:zzzzzz:0", "v2:1:1", "v1:1:1:1", "v1:" + "9" * 70, "💥"]
)
async def test_forged_callback_data_rerenders_and_never_applies(
    client: BotClient, data: str
) -> None:
    await client.send("/start")
    await client.click("Continue")
    before = client.last_screen()
    await client.press(client.screen_message().message_id, data)
    text, labels = client.last_screen()
    assert "earlier screen" in text
    assert labels == before[1]


async def test_stale_button_never_applies_an_old_answer(client: BotClient) -> None:
    await client.send("/start")
    await client.click("Continue")
    await client.click("Find my options")
    message = client.screen_message()
    serbia = next(data for label, data in client.buttons() if label == "Serbia")
    await client.click("Another country")
    await client.press(message.message_id, serbia)
    text, _ = client.last_screen()
    assert "earlier screen" in text
    assert "Are you safe right now?" in text
    await client.click("Help now")
    help_text = client.last_screen()[0]
    # The old answer (Serbia) was not applied: the country is still "another".
    assert "Another country" in help_text and "192" not in help_text


async def test_edit_that_fails_sends_a_new_message(client: BotClient) -> None:
    await client.send("/start")
    client.telegram.fail("editMessageText", ApiError(400, "Bad Request: message can't be edited"))
    await client.click("Continue")
    assert "What would you like to do?" in client.last_screen()[0]
    assert len(client.telegram.bot_messages(client.chat_id)) == 2


async def test_edit_of_a_deleted_message_sends_a_new_one(client: BotClient) -> None:
    await client.send("/start")
    message = client.screen_message()
    data = client.buttons()[0][1]
    del client.telegram.messages[client.chat_id][message.message_id]
    await client.press(message.message_id, data)
    assert "What would you like to do?" in client.last_screen()[0]


async def test_message_not_modified_is_not_an_error(
    client: BotClient, caplog: pytest.LogCaptureFixture
) -> None:
    await client.send("/start")
    client.telegram.fail(
        "editMessageText",
        ApiError(
            400,
            "Bad Request: message is not modified: specified new message content and reply markup are exactly the same",
        ),
    )
    await client.click("Continue")
    assert len(client.telegram.bot_messages(client.chat_id)) == 1
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_429_retry_after_is_respected(client: BotClient) -> None:
    client.telegram.fail(
        "sendMessage",
        ApiError(429, "Too Many Requests: retry after 1", retry_after=1),
        when=lambda n: n == 1,
    )
    await client.send("/start")
    sends = client.telegram.calls_to("sendMessage")
    assert [c.ok for c in sends] == [False, True]
    assert len(client.telegram.bot_messages(client.chat_id)) == 1


async def test_network_errors_are_retried(
    client: BotClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = FakeRequest.do_request
    failures = {"left": 2}

    async def flaky(
        self: FakeRequest, url: str, *args: object, **kwargs: object
    ) -> tuple[int, bytes]:
        if url.endswith("sendMessage") and failures["left"]:
            failures["left"] -= 1
            raise NetworkError("connection reset")
        return await original(self, url, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(FakeRequest, "do_request", flaky)
    await client.send("/start")
    assert len(client.telegram.bot_messages(client.chat_id)) == 1


@pytest.mark.parametrize("kind", ["photo", "sticker", "voice", "location", "contact"])
async def test_non_text_messages_get_a_friendly_note_and_the_screen(
    client: BotClient, kind: str
) -> None:
    await client.send("/start")
    await client.click("Continue")
    await client.send_kind(kind)
    text, labels = client.last_screen()
    assert "I can only read buttons and text messages." in text
    assert "Find my options" in labels


async def test_free_text_offers_topics_and_help_now_for_danger(client: BotClient) -> None:
    await client.send("/start")
    await client.send("they hurt me")
    _, labels = client.last_screen()
    assert labels[0] == "🆘 Help now"


async def test_blocked_user_is_forgotten_quietly(
    client: BotClient, caplog: pytest.LogCaptureFixture
) -> None:
    await client.send("/start")
    client.telegram.users[client.chat_id]["blocked"] = True
    await client.click("Continue")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_group_chats_are_ignored(client: BotClient) -> None:
    update = client.telegram.user_sends(client.chat_id, "/start")
    update["message"]["chat"]["type"] = "group"
    await client.process(update)
    assert client.telegram.bot_messages(client.chat_id) == []


async def test_deep_link_selects_campaign_and_country(client: BotClient) -> None:
    await client.send("/start poster7--RS")
    await client.click("Help now")
    assert "Help now: Serbia" in client.last_screen()[0]
    assert client.runtime.conversations.counters is not None
    rows = await client.runtime.conversations.counters.rows()
    assert any(r.kind == "start" and r.key == "poster7" for r in rows)


@pytest.mark.parametrize("payload", ["x" * 80, "bad payload!", "-RS", "a-b-c-d"])
async def test_bad_deep_links_just_start(client: BotClient, payload: str) -> None:
    await client.send(f"/start {payload}")
    assert "Welcome" in client.last_screen()[0]


async def test_commands_and_descriptions_are_published_per_language(client: BotClient) -> None:
    commands = client.telegram.commands
    assert "" in commands and "en" in commands
    assert [c["command"] for c in commands[""]] == [
        "start",
        "help",
        "language",
        "privacy",
        "reset",
        "exit",
    ]
    assert ("description", "") in client.telegram.descriptions
    assert ("short_description", "en") in client.telegram.descriptions


async def test_long_screens_are_split_with_the_keyboard_last() -> None:
    text = "\n\n".join(f"Paragraph {i} " + "word " * 150 for i in range(12))
    screen = Screen(text=text, rows=((Button("ok", 0),),), nonce=3)
    parts = messages(screen)
    assert len(parts) > 1
    assert all(p.keyboard is None for p in parts[:-1]) and parts[-1].keyboard is not None
    assert all(len(p.html) <= 4096 for p in parts)


async def test_the_same_screen_for_two_users_gets_each_its_own_keyboard() -> None:
    # The HTML of a screen is kept (render._html_parts); the keyboard, which carries the
    # screen's nonce, is made for each message.
    rows = ((Button("ok", 0), Button("no", 1)),)
    first = messages(Screen(text="Same & <text>", title="T", rows=rows, nonce=3))
    second = messages(Screen(text="Same & <text>", title="T", rows=rows, nonce=4))
    noted = messages(Screen(text="Same & <text>", title="T", rows=rows, nonce=4, note="Old"))
    assert first[0].html == second[0].html == "<b>T</b>\n\nSame &amp; &lt;text&gt;"
    assert noted[0].html == "<i>Old</i>\n\n" + first[0].html
    data = [
        [b["callback_data"] for b in row]
        for m in (first, second)
        if m[0].keyboard is not None
        for row in m[0].keyboard["inline_keyboard"]
    ]
    assert data == [["v1:3:0", "v1:3:1"], ["v1:4:0", "v1:4:1"]]


async def test_keyboards_are_the_json_python_telegram_bot_would_send() -> None:
    # Keyboards go out as Bot API JSON (render.keyboard), not InlineKeyboardMarkup objects:
    # it must be exactly what those objects would have been turned into.
    rows = (
        (Button("Österreich", 0), Button("Србија", 1)),
        (Button("العربية", 2),),
        (Button('<b>"&"</b>', 35), Button("🆘 Help now", 36)),
    )
    screen = Screen(text="x", rows=rows, nonce=NONCE_MODULUS - 1)
    expected = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    b.label, callback_data=callback_data.encode(screen.nonce, b.index)
                )
                for b in row
            ]
            for row in rows
        ]
    ).to_dict()
    part = messages(screen)[-1]
    assert part.keyboard == expected
    assert part.api_kwargs["reply_markup"] == expected
    assert part.api_kwargs["link_preview_options"] == LinkPreviewOptions(is_disabled=True).to_dict()
    assert "reply_markup" not in messages(Screen(text="no buttons"))[-1].api_kwargs


async def test_a_restart_resumes_the_conversation(tmp_path: Path, engine_content: Content) -> None:
    telegram = FakeTelegram()
    first = await BotClient.start(tmp_path, engine_content, telegram=telegram)
    await first.send("/start")
    await first.click("Continue")
    await first.click("Find my options")
    await first.close()
    second = await BotClient.start(tmp_path, engine_content, telegram=telegram)
    await second.click("Serbia")
    assert "Are you safe right now?" in second.last_screen()[0]
    await second.close()


# The reload publishes the new commands in a task; the application is not polling here.
@pytest.mark.filterwarnings("ignore:Tasks created via")
async def test_a_reload_serves_the_new_content_at_the_next_update(
    tmp_path: Path, engine_content: Content
) -> None:
    # The engine keeps drawn screens; a reload must not keep showing the old ones.
    from bot.config import Settings
    from bot.engine.translator import SourceTranslator
    from bot.telegram.app import content_reloader
    from tests.conftest import ENGINE_FIXTURES

    folder = tmp_path / "content"
    shutil.copytree(ENGINE_FIXTURES, folder)
    client = await BotClient.start(tmp_path / "data", load_content(folder, today=TODAY))
    try:
        await client.send("/start")
        assert "Nothing here asks for your name" in client.last_screen()[0]
        flow = folder / "flows" / "main.yaml"
        flow.write_text(
            flow.read_text(encoding="utf-8").replace("Nothing here", "Nothing at all here"),
            encoding="utf-8",
        )
        settings = Settings(content_dir=folder)
        reloader = content_reloader(
            settings,
            client.app,
            client.runtime.conversations,
            (client.runtime.conversations.content, SourceTranslator()),
            watch=False,
        )
        assert reloader.reload_now()
        await client.send("/start")
        assert "Nothing at all here asks for your name" in client.last_screen()[0]
    finally:
        await client.close()


def test_callback_data_round_trips() -> None:
    assert callback_data.decode(callback_data.encode(123456, 7)) == (123456, 7)


async def test_answering_a_press_is_retried_on_network_errors(
    client: BotClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = FakeRequest.do_request
    failures = {"left": 1}

    async def flaky(
        self: FakeRequest, url: str, *args: object, **kwargs: object
    ) -> tuple[int, bytes]:
        if url.endswith("answerCallbackQuery") and failures["left"]:
            failures["left"] -= 1
            raise NetworkError("connection reset")
        return await original(self, url, *args, **kwargs)  # type: ignore[arg-type]

    await client.send("/start")
    monkeypatch.setattr(FakeRequest, "do_request", flaky)
    await client.click("Continue")
    # Otherwise the button would keep its loading spinner on the user's phone.
    assert set(client.telegram.sent_queries) <= client.telegram.answered_queries
    assert failures["left"] == 0
