"""The tools' pages in a real headless browser: Debian's chromium, driven by Playwright.

Playwright is told to use ``/usr/bin/chromium`` (``executable_path``), so it downloads no
browser of its own. Skipped only when chromium is missing *and* ``CI`` is unset: in CI
(``.ci/run`` installs chromium) these tests must run.
"""

from __future__ import annotations

import io
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Browser, Page, sync_playwright

from bot.content import Content
from bot.i18n.catalogs import load_catalogs
from bot.tools.preview import explore, write_preview
from tests.conftest import FIXTURES
from tests.support.cli import run_bot

#: As the machine's notes advise: no sandbox (CI runs as root), and no background
#: networking, which this offline machine would refuse many times a second.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (.ci/run installs Debian's chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = chromium_path()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 800, "height": 1000})
    try:
        yield context.new_page()
    finally:
        context.close()


def test_click_through_the_preview(page: Page, tmp_path: Path) -> None:
    out = tmp_path / "preview"
    result = run_bot("preview", "--lang", "en", "--out", str(out), timeout=120)
    assert result.returncode == 0, result.stderr
    page.goto((out / "index.html").as_uri())
    page.get_by_role("link", name="English").click()
    page.get_by_role("link", name="▶ English").click()
    assert page.locator(".bubble .title").inner_text() == "Welcome"
    page.get_by_role("link", name="Continue ▶").click()
    page.wait_for_url(re.compile(r"/en/node-menu(-\d+)?\.html$"))
    bubble = page.locator(".bubble")
    assert "What would you like to do?" in bubble.inner_text()
    page.get_by_role("link", name="Find my options").click()
    assert "Where are you now?" in page.locator(".bubble").inner_text()
    shot = tmp_path / "where.png"
    page.screenshot(path=str(shot), full_page=True)
    image = Image.open(shot)
    assert image.size[0] == 800
    # Back goes back in the browser, to the page we came from.
    page.get_by_role("link", name="◀ Back").click()
    assert "What would you like to do?" in page.locator(".bubble").inner_text()


def test_arabic_preview_reads_right_to_left(
    page: Page, engine_content: Content, tmp_path: Path
) -> None:
    translator = load_catalogs(FIXTURES / "tools" / "locales")
    write_preview(explore(engine_content, translator, ["ar"]), translator, tmp_path)
    page.goto((tmp_path / "ar" / "index.html").as_uri())
    page.get_by_role("link", name="▶ العربية").click()
    page.get_by_role("link", name="متابعة ◀").click()
    assert "ماذا تريد أن تفعل؟" in page.locator(".bubble").inner_text()
    direction = page.locator(".bubble").evaluate("e => getComputedStyle(e).direction")
    assert direction == "rtl"
    # In a right-to-left chat the first button of a row is on the right.
    back, menu = page.locator(".row").nth(-2).locator(".button").all()
    assert back.bounding_box()["x"] > menu.bounding_box()["x"]  # type: ignore[index]


def test_flyer_prints_on_one_a4_page_and_its_qr_code_scans(page: Page, tmp_path: Path) -> None:
    flyer = tmp_path / "flyer.html"
    result = run_bot(
        "link", "--campaign", "astra_flyer", "--country", "RS", "--flyer", str(flyer),
        env={"BOT_USERNAME": "pathways_bot"}, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    link = "https://t.me/pathways_bot?start=astra_flyer--RS"
    page.goto(flyer.as_uri())
    png = page.locator("svg.qr").screenshot()
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)).convert("L"))
    assert [code.text for code in found] == [link]
    pdf = page.pdf(prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1
    box = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert box is not None
    width_mm, height_mm = (float(v) / 72 * 25.4 for v in box.groups())
    assert (round(width_mm), round(height_mm)) == (210, 297)
