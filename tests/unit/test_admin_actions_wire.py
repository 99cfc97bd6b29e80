"""What the officials', hromada, residents and open-data actions send over the wire: values
that JSON would bend come back as they were, bot tokens go out but never come back, and a
file name an installation sends is written only as a plain name."""

from __future__ import annotations

import pytest

from admin_cli.context import CliError
from admin_cli.hromada_bots import BotDone, set_bot_action
from admin_cli.hromadas import apply_action
from admin_cli.open_data import _plain_name
from admin_cli.residents import Counts, stats_action
from core.hromadas.bots import BotChange, BotPlatform
from core.hromadas.bots_service import BotWish
from core.hromadas.model import ProfileChange

TOKEN = "123456789:" + "A" * 35


def test_the_district_not_set_stays_none_through_json() -> None:
    counts = Counts(3, {"telegram": 3}, {"none": 3}, 0, [("north", 1), (None, 2)])
    back = stats_action.result_from_json(stats_action.result_json(counts))
    assert back == counts and back.by_district[-1] == (None, 2)


def test_the_confirmed_changes_compare_equal_after_the_trip() -> None:
    changes = (
        ProfileChange("district", "north", "added", None, "Північ / North"),
        ProfileChange("name", "", "renamed", "А / A", "Б / B"),
    )
    body = apply_action.params_json(
        {"profile_text": "x", "file_name": "f.yaml", "expected": changes}
    )
    assert apply_action.params_from_json(body)["expected"] == changes


def test_a_bot_token_goes_to_the_action_and_never_comes_back() -> None:
    wishes = [BotWish(BotPlatform.TELEGRAM, TOKEN, "city_bot"), BotWish(BotPlatform.VIBER, None)]
    sent = set_bot_action.params_from_json(
        set_bot_action.params_json({"slug": "main", "wishes": wishes})
    )
    assert sent["wishes"] == wishes
    done = [
        BotDone(BotPlatform.TELEGRAM, change=BotChange(1, True, True, "3c278f1e8338"), masked="x"),
        BotDone(BotPlatform.VIBER, removed=False),
    ]
    wire = set_bot_action.result_json(done)
    assert TOKEN.encode() not in wire
    assert set_bot_action.result_from_json(wire) == done


@pytest.mark.parametrize("name", ["", ".", "..", "../etc", "a/b", "a\\b", "/abs", "nul\0"])
def test_an_installations_file_name_must_be_plain(name: str) -> None:
    with pytest.raises(CliError):
        _plain_name(name)


def test_a_plain_name_is_kept() -> None:
    assert _plain_name("campaign-7") == "campaign-7"
    assert _plain_name("ballots.csv") == "ballots.csv"


def test_an_export_checks_its_file_first_and_leaves_none_when_refused(tmp_path) -> None:
    from admin_cli.files import writable_first as _writable

    target = tmp_path / "letter.json"
    with pytest.raises(CliError), _writable(target):
        raise CliError("refused")
    assert not target.exists()
    target.write_text("kept")
    with pytest.raises(CliError), _writable(target):
        raise CliError("refused")
    assert target.read_text() == "kept"
    with pytest.raises(CliError, match=r"x\.json"), _writable(tmp_path / "no" / "x.json"):
        raise AssertionError("the body must not run")
