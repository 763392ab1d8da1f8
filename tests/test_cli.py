"""The command line, run as a user runs it: ``python -m bot ...`` in a subprocess."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.conftest import FIXTURES, ROOT
from tests.support.cli import run_bot

# Serbia (7th on the welcome screen), safe, adult, not yet identified, would not talk to
# police, afraid to go back.
SERBIA_ANSWERS = ["7", "1", "2", "2", "2", "1"]


def test_chat_with_piped_answers_reaches_serbias_result() -> None:
    result = run_bot("chat", "--lang", "en", stdin="\n".join(SERBIA_ANSWERS) + "\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Your options" in out
    # The residence options with their legal basis...
    assert "Stay as a possible victim" in out
    assert "Article 40(1) item 12" in out
    assert "Stay for humanitarian reasons" in out
    assert "Article 61" in out
    assert "Asylum in Serbia" in out
    # ...and ASTRA's SOS line with its number.
    assert "ASTRA – Anti Trafficking Action, SOS hotline: +381 11 7850000" in out


def test_python_m_bot_without_a_token_opens_the_chat() -> None:
    result = run_bot(stdin="")
    assert result.returncode == 0, result.stderr
    assert "terminal chat" in result.stderr
    # Every enabled language is offered first, each in its own name.
    assert "Choose your language" in result.stdout
    assert "العربية" in result.stdout and "简体中文" in result.stdout


def test_chat_records_a_transcript(tmp_path: Path) -> None:
    record = tmp_path / "t.txt"
    result = run_bot("chat", "--record", str(record), stdin="1\n1\n")
    assert result.returncode == 0, result.stderr
    transcript = record.read_text(encoding="utf-8")
    assert "> 1" in transcript
    assert "Where are you now?" in transcript


def test_chat_start_payload_picks_the_country(tmp_path: Path) -> None:
    result = run_bot("chat", "--start", "astra1--RS", stdin="/sos\n")
    assert result.returncode == 0, result.stderr
    assert "Help now: Serbia" in result.stdout
    assert "Police: 192" in result.stdout


def test_chat_quick_exit_clears_and_can_start_again() -> None:
    result = run_bot("chat", "--lang", "en", stdin="/exit\n/start\n")
    assert "Conversation deleted" in result.stdout
    # Everything was forgotten, the language too: starting again asks for it.
    assert "Choose your language" in result.stdout.split("Conversation deleted")[1]


def test_chat_reports_broken_content_and_exits_1(tmp_path: Path) -> None:
    broken = tmp_path / "content"
    shutil.copytree(FIXTURES / "engine", broken)
    flow = broken / "flows" / "main.yaml"
    flow.write_text(flow.read_text().replace("next: menu", "next: nowhere"), encoding="utf-8")
    result = run_bot("chat", "--content", str(broken))
    assert result.returncode == 1
    assert f"{broken}/flows/main.yaml:11: unknown node 'nowhere'" in result.stderr


def test_check_passes_on_the_shipped_content() -> None:
    result = run_bot("check")
    assert result.returncode == 0, result.stderr
    assert "0 error(s)" in result.stderr


def test_check_names_file_and_line_and_exits_1(tmp_path: Path) -> None:
    broken = tmp_path / "content"
    shutil.copytree(FIXTURES / "engine", broken)
    rs = broken / "countries" / "rs.yaml"
    rs.write_text(rs.read_text().replace('phone: "192"', 'phone: "99999"'), encoding="utf-8")
    result = run_bot("check", str(broken))
    assert result.returncode == 1
    assert f"{broken}/countries/rs.yaml:8: invalid phone number '99999' for RS" in result.stderr


def test_check_strict_fails_on_warnings() -> None:
    fixture = str(FIXTURES / "engine")
    assert run_bot("check", fixture, "--today", "2026-11-23").returncode == 0
    result = run_bot("check", fixture, "--strict", "--today", "2026-11-23")
    assert result.returncode == 1
    assert "warning: dead end: info node 'rights'" in result.stdout


def test_check_warns_about_stale_facts() -> None:
    result = run_bot("check", str(FIXTURES / "engine"), "--today", "2028-01-01")
    assert "more than 12 months ago" in result.stdout


def test_check_stale_lists_facts_by_review_date() -> None:
    result = run_bot("check", "--stale")
    assert result.returncode == 0
    assert "Facts by review date" in result.stdout
    assert "unverified" in result.stdout


def test_schema_prints_json_and_the_committed_copies_are_current(tmp_path: Path) -> None:
    result = run_bot("schema")
    assert result.returncode == 0, result.stderr
    schemas = json.loads(result.stdout)
    assert set(schemas) == {"facts", "flow", "country"}
    result = run_bot("schema", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    for kind in schemas:
        written = (tmp_path / f"{kind}.schema.json").read_text(encoding="utf-8")
        committed = ROOT / "content" / "schema" / f"{kind}.schema.json"
        assert committed.read_text(encoding="utf-8") == written, (
            f"{committed} is out of date: run python -m bot schema --out content/schema"
        )
