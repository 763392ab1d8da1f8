"""``python -m bot link``: campaign links, QR codes that scan, and the printable flyer."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from bot.config import Settings
from bot.content import Content
from bot.engine.translator import SourceTranslator
from bot.i18n.catalogs import load_catalogs
from bot.tools.flyer import TAGLINE, build_flyer, render_flyer
from bot.tools.link import (
    LinkError,
    bot_username,
    campaign_link,
    qr_svg_inline,
    validated_payload,
    write_qr,
)
from tests.conftest import FIXTURES
from tests.support.cli import run_bot
from tests.support.fake_telegram import TOKEN, FakeBotApiServer

TOOLS_LOCALES = FIXTURES / "tools" / "locales"


def decode_png(path: Path) -> str:
    """The text of the one QR code in a PNG file."""
    found = zxingcpp.read_barcodes(Image.open(path).convert("L"))
    assert len(found) == 1, found
    assert found[0].format == zxingcpp.BarcodeFormat.QRCode
    return str(found[0].text)


# -- payloads ----------------------------------------------------------------------------


def test_payload_with_language_and_country(engine_content: Content) -> None:
    translator = load_catalogs(TOOLS_LOCALES)
    assert validated_payload(engine_content, translator, "lefoe_1", "ar", "rs") == "lefoe_1-ar-RS"
    assert validated_payload(engine_content, translator, "astra", "", "RS") == "astra--RS"
    assert validated_payload(engine_content, translator, "astra") == "astra"


def test_unknown_language_lists_the_valid_ones(engine_content: Content) -> None:
    with pytest.raises(LinkError, match=r"unknown language 'de' \(expected one of: en, ar\)"):
        validated_payload(engine_content, load_catalogs(TOOLS_LOCALES), "c1", "de")


def test_unknown_country_lists_the_valid_ones(engine_content: Content) -> None:
    with pytest.raises(LinkError, match=r"unknown country 'AT' \(expected one of: RS, ZZ\)"):
        validated_payload(engine_content, SourceTranslator(), "c1", "", "AT")


@pytest.mark.parametrize(
    ("campaign", "expected"),
    [
        ("", "invalid campaign code"),
        ("has-dash", "invalid campaign code"),
        ("spaces here", "invalid campaign code"),
        ("é", "invalid campaign code"),
        ("x" * 41, "invalid campaign code"),
    ],
)
def test_bad_campaign_codes_are_refused(
    engine_content: Content, campaign: str, expected: str
) -> None:
    with pytest.raises(LinkError, match=expected):
        validated_payload(engine_content, SourceTranslator(), campaign)


# -- the bot's username ------------------------------------------------------------------


def test_username_from_configuration() -> None:
    assert bot_username(Settings(bot_username="@pathways_bot")) == "pathways_bot"


def test_invalid_configured_username_is_refused() -> None:
    with pytest.raises(LinkError, match="BOT_USERNAME='no spaces' is invalid"):
        bot_username(Settings(bot_username="no spaces"))


def test_username_from_get_me_honours_telegram_api_url() -> None:
    with FakeBotApiServer() as server:
        settings = Settings(telegram_token=TOKEN, telegram_api_url=server.base_url)
        assert bot_username(settings) == "pathways_test_bot"
        assert [c.method for c in server.telegram.calls] == ["getMe"]


def test_refused_token_is_a_clear_error_without_the_token() -> None:
    wrong = "5550001:WRONGtoken_abcdefghijklmnopqrstuvwxyz0"
    with FakeBotApiServer() as server:
        settings = Settings(telegram_token=wrong, telegram_api_url=server.base_url)
        with pytest.raises(LinkError, match=r"refused the token \(HTTP 401\)") as caught:
            bot_username(settings)
    assert wrong not in str(caught.value)


def test_unreachable_bot_api_is_a_clear_error() -> None:
    settings = Settings(telegram_token=TOKEN, telegram_api_url="http://127.0.0.1:9/bot")
    with pytest.raises(
        LinkError, match=re.escape("could not reach the Bot API at http://127.0.0.1:9/bot")
    ):
        bot_username(settings, timeout=5)


def test_no_username_and_no_token_says_what_to_set() -> None:
    with pytest.raises(LinkError, match="set BOT_USERNAME"):
        bot_username(Settings())


# -- QR codes ----------------------------------------------------------------------------


def test_png_qr_decodes_to_the_exact_link(tmp_path: Path) -> None:
    link = campaign_link("pathways_bot", "lefoe_poster1-ar-AT")
    write_qr(link, tmp_path / "qr.png")
    assert decode_png(tmp_path / "qr.png") == link


def test_svg_qr_is_an_svg_of_the_link(tmp_path: Path) -> None:
    link = campaign_link("pathways_bot", "astra--RS")
    write_qr(link, tmp_path / "qr.svg")
    text = (tmp_path / "qr.svg").read_text(encoding="utf-8")
    assert "<svg" in text
    assert f"<title>{link}</title>" in text


def test_qr_to_another_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LinkError, match=r"expected a \.png or \.svg"):
        write_qr("https://t.me/x_bot", tmp_path / "qr.jpg")


# -- the command -------------------------------------------------------------------------


def test_link_command_prints_the_link_and_writes_a_qr_that_scans(tmp_path: Path) -> None:
    qr = tmp_path / "poster.png"
    result = run_bot(
        "link", "--campaign", "lefoe_poster1", "--country", "RS", "--qr", str(qr),
        env={"BOT_USERNAME": "pathways_bot"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    link = "https://t.me/pathways_bot?start=lefoe_poster1--RS"
    assert result.stdout.strip() == link
    assert decode_png(qr) == link


def test_link_command_asks_telegram_for_the_username(tmp_path: Path) -> None:
    with FakeBotApiServer() as server:
        result = run_bot(
            "link", "--campaign", "astra",
            env={"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": server.base_url},
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "https://t.me/pathways_test_bot?start=astra"


def test_link_command_without_username_or_token_fails_clearly() -> None:
    result = run_bot("link", "--campaign", "astra")
    assert result.returncode == 2
    assert "set BOT_USERNAME" in result.stderr
    assert result.stdout == ""


def test_link_command_unknown_country_and_language(tmp_path: Path) -> None:
    env = {"BOT_USERNAME": "pathways_bot"}
    result = run_bot("link", "--campaign", "astra", "--country", "XX", env=env)
    assert result.returncode == 2
    assert "unknown country 'XX' (expected one of: " in result.stderr
    assert "RS" in result.stderr
    result = run_bot("link", "--campaign", "astra", "--lang", "xx", env=env)
    assert result.returncode == 2
    assert "unknown language 'xx' (expected one of: en" in result.stderr


def test_link_command_refuses_a_bad_campaign_before_anything_is_written(tmp_path: Path) -> None:
    qr = tmp_path / "qr.png"
    result = run_bot(
        "link", "--campaign", "bad code!", "--qr", str(qr), env={"BOT_USERNAME": "pathways_bot"}
    )
    assert result.returncode == 2
    assert "invalid campaign code 'bad code!'" in result.stderr
    assert not qr.exists()


# -- the flyer ---------------------------------------------------------------------------


def test_flyer_for_a_country_shows_its_emergency_numbers(engine_content: Content) -> None:
    link = campaign_link("pathways_bot", "astra--RS")
    flyer, missing = build_flyer(
        engine_content,
        SourceTranslator(),
        link=link,
        qr_svg=qr_svg_inline(link),
        languages=["en"],
        country="RS",
    )
    page = render_flyer(flyer)
    assert missing == []
    assert "@page { size: A4;" in page
    assert f'<a href="{link}">{link}</a>' in page
    assert (
        '<p class="tagline" lang="en" dir="ltr">Information about your rights — anonymous, free</p>'
        in page
    )
    assert "Emergency numbers (Serbia):" in page
    assert "Police: 192" in page
    assert "<svg" in page


def test_flyer_without_a_country_shows_112_with_the_caveat(shipped_content: Content) -> None:
    link = campaign_link("pathways_bot", "astra")
    flyer, _ = build_flyer(
        shipped_content,
        SourceTranslator(),
        link=link,
        qr_svg=qr_svg_inline(link),
        languages=["en"],
    )
    zz = shipped_content.country("ZZ")
    assert zz is not None
    assert flyer.emergency_lines == (f"{zz.emergency[0].label}: 112",)
    assert flyer.emergency_note == " ".join(zz.emergency_note.split())
    page = render_flyer(flyer)
    assert "112" in page
    assert "works in every country of the European Union" in page
    assert "Checked:" in page


def test_flyer_in_arabic_and_english_is_right_to_left_where_it_should_be(
    engine_content: Content,
) -> None:
    translator = load_catalogs(TOOLS_LOCALES)
    link = campaign_link("pathways_bot", "astra--RS")
    flyer, missing = build_flyer(
        engine_content,
        translator,
        link=link,
        qr_svg=qr_svg_inline(link),
        languages=["ar", "en"],
        country="RS",
    )
    page = render_flyer(flyer)
    assert missing == []
    assert '<html lang="ar" dir="rtl">' in page
    assert (
        '<p class="tagline" lang="ar" dir="rtl">معلومات عن حقوقك — بدون ذكر الاسم، ومجانًا</p>'
        in page
    )
    assert f'<p class="tagline" lang="en" dir="ltr">{TAGLINE}</p>' in page
    assert "أرقام الطوارئ (صربيا):" in page
    # Numbers keep their order inside right-to-left lines, as on screen.
    assert "\u2068192\u2069" in page
    # The link stays left to right inside the right-to-left page.
    assert '<p class="link" dir="ltr">' in page


def test_flyer_leaves_out_a_language_without_the_translated_line(engine_content: Content) -> None:
    # SourceTranslator has no Arabic: the line would be English under lang="ar".
    flyer, missing = build_flyer(
        engine_content,
        SourceTranslator(),
        link="https://t.me/x_bot?start=a",
        qr_svg="<svg></svg>",
        languages=["en", "ar"],
    )
    assert missing == ["ar"]
    assert [line.language for line in flyer.lines] == ["en"]


def test_flyer_escapes_everything(engine_content: Content) -> None:
    class Hostile(SourceTranslator):
        def gettext(self, language: str, message: str, context: str = "") -> str:
            return f"<script>alert('{message}')</script>&"

    flyer, _ = build_flyer(
        engine_content,
        Hostile(),
        link="https://t.me/x_bot?start=a",
        qr_svg="<svg></svg>",
        languages=["en"],
        country="RS",
    )
    page = render_flyer(flyer)
    assert "<script>" not in page
    assert "&lt;script&gt;" in page


def test_flyer_command_writes_a_page(tmp_path: Path) -> None:
    out = tmp_path / "flyer.html"
    result = run_bot(
        "link", "--campaign", "astra", "--country", "RS", "--flyer", str(out),
        env={"BOT_USERNAME": "pathways_bot"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    assert "https://t.me/pathways_bot?start=astra--RS" in page
    assert "Police: 192" in page
