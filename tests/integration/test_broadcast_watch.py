"""`spilno-admin broadcast` without --no-wait: the live bar asks for the push's progress (the
`delivery.progress` action) until nothing is due, as it would over the network."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import typer
from sqlalchemy import update

from admin_cli import delivery
from admin_cli.client import LocalClient
from core.bootstrap import bootstrap
from core.config import Settings
from core.delivery.model import OutboxStatus
from core.delivery.tables import OutboxRow
from tests.cli import cli_runner
from tests.databases import run_blocking
from tests.integration.test_delivery_cli import residents


@pytest.fixture
def admin(database_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SPILNO_QUIET_HOURS", "")  # at night the push would wait for morning
    return cli_runner(database_url, tmp_path, monkeypatch, capsys)


def set_statuses(database_url: str, *statuses: OutboxStatus) -> None:
    """The workers' part: the outbox rows, in id order, take `statuses` (from another loop)."""

    async def go() -> None:
        app = bootstrap(Settings(database_url=database_url, _env_file=None))
        try:
            async with app.engine.begin() as conn:
                ids = (await conn.execute(OutboxRow.__table__.select())).all()
                for row, status in zip(sorted(r.id for r in ids), statuses, strict=True):
                    query = update(OutboxRow).where(OutboxRow.id == row)
                    await conn.execute(query.values(status=status.value))
        finally:
            await app.aclose()

    run_blocking(go())


def between_polls(monkeypatch: pytest.MonkeyPatch, *steps: Callable[[], None]) -> list[int]:
    """Each pause of the bar runs the next step instead of sleeping; returns the pause count."""
    pauses: list[int] = []

    def pause(_seconds: float) -> None:
        pauses.append(1)
        steps[len(pauses) - 1]()

    monkeypatch.setattr(delivery.time, "sleep", pause)
    return pauses


def test_the_bar_follows_the_push_until_every_message_is_out(admin, database_url, monkeypatch):
    residents(database_url, "olena", "taras")
    pauses = between_polls(
        monkeypatch,
        lambda: set_statuses(database_url, OutboxStatus.SENT, OutboxStatus.SENDING),
        lambda: set_statuses(database_url, OutboxStatus.SENT, OutboxStatus.UNREACHABLE),
    )

    watched = admin("broadcast", "--audience", "all", "--text", "Water is off")

    assert watched.stdout.strip() == "1"
    assert "queued for 2 recipients" in watched.stderr
    assert len(pauses) == 2  # asked three times: 2 remaining, 1, none
    assert "sent 1 · failed 0 · unreachable 1 · remaining 0" in watched.stderr
    assert "wait for quiet hours" not in watched.stderr


def test_messages_held_for_the_digest_end_the_watch_with_a_word(admin, database_url, monkeypatch):
    residents(database_url, "olena", "taras")
    between_polls(
        monkeypatch, lambda: set_statuses(database_url, OutboxStatus.SENT, OutboxStatus.HELD)
    )

    watched = admin("broadcast", "--audience", "all", "--text", "Water is off")

    assert "1 messages wait for quiet hours to end or for the daily digest" in watched.stderr


def test_ctrl_c_stops_watching_not_sending(admin, database_url, monkeypatch):
    residents(database_url, "olena")

    def interrupt() -> None:
        raise KeyboardInterrupt

    between_polls(monkeypatch, interrupt)

    watched = admin("broadcast", "--audience", "all", "--text", "Water is off")

    assert "Stopped watching; the push goes on" in watched.stderr
    assert "delivery status 1" in watched.stderr
    status = admin("delivery", "status", "1", "--json").stdout
    assert '"remaining": 1' in status


@pytest.mark.parametrize(
    ("picture", "line"),
    [
        ({"image": b"\x89PNG", "image_url": "https://example.com/a.png"}, "not both"),
        ({"image_url": "/etc/passwd"}, "an address starts with http:// or https://"),
    ],
)
def test_the_action_takes_one_picture_a_file_or_a_web_address(admin, capsys, picture, line):
    """What the admin API receives need not come from the command: the action checks it too."""
    with pytest.raises(typer.Exit) as refused:
        LocalClient("olha", explicit=True).call(
            delivery.broadcast_action, audience="all", text="Hi", **picture
        )
    assert refused.value.exit_code == 2
    assert line in capsys.readouterr().err
