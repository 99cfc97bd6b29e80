"""`spilno-admin org create --logo F` uploads the image: the official's computer may
not be the installation's (issue 19)."""

from __future__ import annotations

import json

import pytest
import typer
from sqlalchemy import select

from admin_cli import orgs
from admin_cli.client import LocalClient
from core.organizations.tables import OrganizationRow
from tests.cli import cli_runner, in_db


@pytest.fixture
def admin(database_url, tmp_path, monkeypatch, capsys):
    return cli_runner(database_url, tmp_path, monkeypatch, capsys)


def stored_logo(database_url: str, slug: str) -> tuple[str | None, bytes | None]:
    async def work(uow, now):
        session = uow.citizens._session  # type: ignore[attr-defined]
        row = (
            await session.execute(
                select(OrganizationRow.logo_ref, OrganizationRow.logo).where(
                    OrganizationRow.slug == slug
                )
            )
        ).one()
        return row.logo_ref, row.logo

    return in_db(database_url, work)


def test_the_logo_is_uploaded_with_the_organization(admin, database_url, tmp_path):
    image = bytes(range(256)) * 40  # any bytes: base64 on the wire, as they were in the file
    (tmp_path / "green.png").write_bytes(image)
    created = admin("org", "create", "--name", "Green", "--slug", "green", "--logo", "green.png")
    assert created.stdout == "green\n"
    assert stored_logo(database_url, "green") == ("green.png", image)
    shown = json.loads(admin("org", "show", "green", "--json").stdout)
    assert shown["logo"] == "green.png"
    admin("org", "create", "--name", "Blue", "--slug", "blue")
    assert stored_logo(database_url, "blue") == (None, None)


def test_the_action_refuses_a_logo_the_cli_would_not_send(admin, capsys):
    """A request to the admin API is no CLI: the action checks the size itself."""
    admin("org", "list")  # the database exists
    too_big = b"x" * (orgs.MAX_IMAGE_BYTES + 1)
    with pytest.raises(typer.Exit) as exited:
        LocalClient("mayor", explicit=True).call(
            orgs.create_action, name="Big", slug="big", logo=too_big, logo_name="big.png"
        )
    assert exited.value.exit_code == 2
    assert "--logo: the image is larger than 5 MB" in capsys.readouterr().err
    assert json.loads(admin("org", "list", "--json").stdout) == []
