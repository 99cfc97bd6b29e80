"""docker-compose.yml, Dockerfile and .env.example checked without a Docker engine."""

import dataclasses
import re
import shlex
from pathlib import Path

import pytest
import typer
import yaml

from bot.__main__ import cli
from bot.runner import Role
from core.config import Settings
from tests.integration.test_packaging import SOURCES as PACKAGED_SOURCES

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = {f"SPILNO_{field.name.upper()}" for field in dataclasses.fields(Settings)}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def spilno_services(compose: dict) -> dict[str, dict]:
    return {n: s for n, s in compose["services"].items() if s.get("command", [""])[0] == "spilno"}


def test_every_service_command_is_a_real_spilno_command(compose):
    commands = set(typer.main.get_command(cli).commands)
    services = spilno_services(compose)
    assert set(services) == {"migrate", "web", "worker", "scheduler"}
    for name, service in services.items():
        command = service["command"]
        if command[1:] == ["db", "upgrade"]:
            continue
        assert command[1] == "run" and command[1] in commands, name
        assert command[2] == "--role" and Role(command[3]).value == command[3], name


def test_every_environment_variable_the_compose_file_sets_is_a_known_setting(compose):
    for name, service in spilno_services(compose).items():
        for variable in service.get("environment", {}):
            assert variable in SETTINGS, f"{name}: {variable} is not a Spilno setting"


def test_the_migration_runs_before_web_worker_and_scheduler(compose):
    services = compose["services"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("web", "worker", "scheduler"):
        condition = services[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully", name
    assert "healthcheck" in services["postgres"] and services["postgres"]["volumes"]


def _as_on_a_fresh_install(value: str) -> str:
    """Compose's `${VAR:-default}` interpolation with no variable set."""
    return re.sub(r"\$\{\w+(?::?-([^}]*))?\}", lambda m: m.group(1) or "", value)


def test_only_the_web_port_is_published_and_only_on_loopback_by_default(compose):
    published = {n: s["ports"] for n, s in compose["services"].items() if s.get("ports")}
    assert set(published) == {"web"}, "only the reverse proxy's upstream is published"
    (spec,) = published["web"]
    parts = _as_on_a_fresh_install(str(spec)).split(":")
    # "8080:8080" (no address) would publish /metrics on every interface of the host.
    assert len(parts) == 3, f"{spec}: no host address, so every interface"
    assert parts == ["127.0.0.1", "8080", "8080"]


def test_readme_deploy_section_tells_how_the_web_port_is_published(compose):
    (spec,) = compose["services"]["web"]["ports"]
    variable = re.fullmatch(r"\$\{(\w+):-([^}]+)\}:8080", str(spec))
    assert variable, f"{spec}: the host address should be overridable"
    deploy = (ROOT / "README.md").read_text().split("## Deploy", 1)[1].split("\n## ", 1)[0]
    assert variable.group(1) in deploy and variable.group(2) in deploy
    assert "/metrics" in deploy and "internal" in deploy


def test_env_example_lists_every_setting_with_a_comment():
    text = (ROOT / ".env.example").read_text()
    listed = re.findall(r"^(SPILNO_[A-Z0-9_]+)=", text, flags=re.MULTILINE)
    assert set(listed) == SETTINGS
    assert len(listed) == len(set(listed)), "a setting is listed twice"
    for block in text.split("\n\n"):
        if "SPILNO_" in block:
            assert any(line.startswith("# ") for line in block.splitlines()), block


def test_dockerfile_is_minimal_and_conventional():
    instructions = [
        line.split(None, 1)
        for line in (ROOT / "Dockerfile").read_text().replace("\\\n", " ").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    names = [i[0] for i in instructions]
    assert names[0] == "FROM" and re.fullmatch(r"python:3\.1[1-9]-slim", instructions[0][1])
    assert "ADD" not in names, "COPY, not ADD"
    assert names.count("CMD") == 1 and instructions[names.index("CMD")][1].startswith("[")
    assert "USER" in names and instructions[names.index("USER")][1] != "root"
    copied = " ".join(i[1] for i in instructions if i[0] == "COPY")
    for needed in PACKAGED_SOURCES:  # what the packaging test builds its wheel from
        assert needed in copied
    runs = " ".join(i[1] for i in instructions if i[0] == "RUN")
    assert "--no-cache-dir" in runs and "apt-get" not in runs
    # Not editable: an image must run what a wheel carries (catalogs included), nothing else.
    assert "pip install" in runs and " -e " not in runs and "--editable" not in runs
    cmd = shlex.split(instructions[names.index("CMD")][1].strip("[]").replace(",", " "))
    assert cmd[:2] == ["spilno", "run"]
