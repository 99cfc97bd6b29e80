"""Files that travel with the pb and consultation actions (issue 19), on SQLite and PostgreSQL:
a milestone's photo reaches the database through the action's JSON, the action refuses what is
no photo even when a client skipped its own check, and a refused export leaves no file."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import typer

from admin_cli.client import LocalClient
from admin_cli.pb import milestone_action
from core.bootstrap import bootstrap
from core.config import Settings
from core.pb import service as pbs
from core.pb.model import Progress
from tests.cli import cli_runner, in_db
from tests.databases import run_blocking
from tests.examples import write_example
from tests.fakes.clock import FakeClock
from tests.pb import create, pots, proposed, resident, to_phase, vote

PHOTO = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4  # every byte value, as base64 must carry


@pytest.fixture
def admin(database_url, tmp_path, monkeypatch, capsys):
    return cli_runner(database_url, tmp_path, monkeypatch, capsys, official="olha")


async def _a_winner(database_url: str) -> int:
    """A public budget run to its announced winners (a clock of its own, from now): the id of
    the one winning project."""
    app = bootstrap(Settings(database_url=database_url, _env_file=None))
    clock = FakeClock(datetime.now(UTC))
    factory = app.uow_factory
    try:
        pb = await create(factory, clock, pots=pots(city=1_000))
        author = await resident(factory, clock, "author")
        voter = await resident(factory, clock, "voter")
        await to_phase(factory, clock, pb, 0.1)
        park = await proposed(factory, clock, pb, author, "Парк", 600)
        await to_phase(factory, clock, pb, 2.5)
        await vote(factory, clock, voter, park)
        await to_phase(factory, clock, pb, 4.5)
        return park.id
    finally:
        await app.aclose()


def test_a_milestone_photo_travels_byte_for_byte(admin, database_url, tmp_path):
    project_id = run_blocking(_a_winner(database_url))
    (tmp_path / "done.png").write_bytes(PHOTO)
    done = admin(
        "pb", "milestone", str(project_id), "--status", "done", "--text", "Готово",
        "--image", "done.png",
    )  # fmt: skip
    assert f"project {project_id}" in done.stdout

    async def stored(uow, _now):
        (milestone,) = await pbs.milestones(uow, project_id)
        return milestone, await pbs.milestone_image(uow, milestone.id)

    milestone, image = in_db(database_url, stored)
    assert (milestone.status, milestone.text, milestone.has_image) == (
        Progress.DONE,
        "Готово",
        True,
    )
    assert image == PHOTO


def test_the_milestone_action_refuses_what_is_no_photo_whatever_the_client(admin, database_url):
    project_id = run_blocking(_a_winner(database_url))
    local = LocalClient("olha", explicit=True)
    with pytest.raises(typer.Exit) as refused:
        local.call(
            milestone_action,
            project_id=project_id,
            status=Progress.IN_PROGRESS,
            text="Почали",
            image=b"GIF89a not a photo",
        )
    assert refused.value.exit_code == 2
    assert in_db(database_url, lambda uow, _now: pbs.milestones(uow, project_id)) == []


def test_a_refused_export_leaves_no_file_behind(admin, tmp_path):
    refused = admin("consultation", "export-text", "424242", "--output", "t.csv", expect=1)
    assert "424242" in refused.stderr
    assert not (tmp_path / "t.csv").exists()
    (tmp_path / "kept.csv").write_text("earlier\n", encoding="utf-8")
    admin("consultation", "export-text", "424242", "--output", "kept.csv", expect=1)
    assert (tmp_path / "kept.csv").read_text(encoding="utf-8") == "earlier\n"
    admin("consultation", "export-text", "424242", "--output", "/", expect=2)


def test_an_export_overwrites_its_file(admin, tmp_path):
    (tmp_path / "t.csv").write_text("a much longer earlier content\n" * 10, encoding="utf-8")
    consultation_id = int(
        admin(
            "consultation", "create", "--file", str(write_example(tmp_path, "consultation.yaml"))
        ).stdout
    )
    admin("consultation", "export-text", str(consultation_id), "--output", "t.csv")
    assert (tmp_path / "t.csv").read_text(
        encoding="utf-8"
    ) == "response,question,submitted_at,text\n"
