"""The petitions actions (issue 19) hand officials what they print, without the author's row
number: residents' data need not reach an official's computer."""

from __future__ import annotations

import pytest

from admin_cli import petitions
from admin_cli.client import LocalClient
from tests.cli import cli_runner
from tests.integration.test_petitions_cli import file


@pytest.fixture
def admin(database_url, tmp_path, monkeypatch, capsys):
    return cli_runner(database_url, tmp_path, monkeypatch, capsys)


def test_petitions_reach_officials_without_their_authors_row(admin, database_url):
    (petition_id,) = file(database_url, ["Ліхтарі на Надроссі"])
    local = LocalClient("olha", explicit=True)
    (listed,) = local.call(petitions.list_action).petitions
    shown = local.call(petitions.show_action, petition_id=petition_id).petitions[0]
    approved = local.call(petitions.approve_action, petition_id=petition_id)
    assert listed.id == shown.id == approved.id == petition_id
    assert (listed.author_id, shown.author_id, approved.author_id) == (0, 0, 0)
    assert approved.campaign.closes_at is not None and approved.threshold > 0
