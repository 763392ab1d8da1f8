"""The repository stands on its own: no file names a path outside it, no module grows too long."""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.conftest import ROOT

#: A module longer than this is doing more than one thing: split it.
MAX_MODULE_LINES = 450
#: Paths outside the repository: the folder once kept beside it, and absolute working paths.
OUTSIDE = re.compile(r"\.\./shared|(?<![\w.])/work/")
#: Files allowed to name one, and why.
OUTSIDE_ALLOWED = {
    # This file holds the pattern itself.
    "tests/test_repository.py": "the pattern",
}


def tracked_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    return [name for name in listed.decode().split("\0") if name]


def outside_paths(text: str) -> list[int]:
    """Line numbers (from 1) of ``text`` that name a path outside the repository."""
    return [n for n, line in enumerate(text.splitlines(), start=1) if OUTSIDE.search(line)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("See ../shared/DESIGN.md §5.", [1]),
        ("ok\nFacts from /work/shared/facts/x.md", [2]),
        ("see docs/DESIGN.md and content/countries/", []),
        ("a URL https://example.org/work/ is not a path here", []),
    ],
)
def test_the_scan_finds_outside_paths(text: str, found: list[int]) -> None:
    assert outside_paths(text) == found


def test_no_tracked_file_names_a_path_outside_the_repository() -> None:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    found = []
    for name in tracked_files():
        path = ROOT / name
        if name in OUTSIDE_ALLOWED or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        found += [f"{name}:{line}" for line in outside_paths(text)]
    assert not found, "these lines name a path outside the repository:\n" + "\n".join(found)


def test_no_module_under_bot_is_longer_than_the_limit() -> None:
    long = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES:
            long.append(f"{path.relative_to(ROOT)}: {lines} lines (at most {MAX_MODULE_LINES})")
    assert not long, "split these modules:\n" + "\n".join(long)
