"""Every button code residents may still have in their chats keeps reaching the same screen.

The table was generated from main before the typed actions replaced hand-registered codes:
one example payload per action prefix, as packed then, and the handler that answered it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.dialogs.router import ACTIONS
from bot.dialogs.turn import DuplicateActionError, compose, on
from bot.ui import Action, Id

PINNED = {
    "start": "bot.dialogs.menu.start",
    "menu": "bot.dialogs.menu.main_menu",
    "help": "bot.dialogs.menu.help_screen",
    "lang": "bot.dialogs.menu.language_screen",
    "setlang:en": "bot.dialogs.menu.set_language",
    "settings": "bot.dialogs.menu.settings_screen",
    "notif:digest": "bot.dialogs.menu.set_notifications",
    "notif:on": "bot.dialogs.menu.set_notifications",
    "stopics": "bot.dialogs.subscriptions.topics_screen",
    "sdistr": "bot.dialogs.subscriptions.districts_screen",
    "follow:district:center": "bot.dialogs.subscriptions.toggle",
    "home": "bot.dialogs.home_district.home_screen",
    "homeset:rotok": "bot.dialogs.home_district.choose",
    "homeok:rotok": "bot.dialogs.home_district.confirm",
    "fix:district:1": "bot.dialogs.home_district.fix",
    "back:1": "bot.dialogs.home_district.return_to_campaign",
    "open:1": "bot.dialogs.campaign_links.open_campaign",
    "polls:0": "bot.dialogs.polls.poll_list",
    "poll:1": "bot.dialogs.polls.poll_screen",
    "vote:1:1": "bot.dialogs.polls.vote",
    "pres:1": "bot.dialogs.polls.results_screen",
    "ideas": "bot.dialogs.ideas.ideas_menu",
    "inew": "bot.dialogs.ideas.new_idea",
    "inew:15": "bot.dialogs.ideas.new_idea",
    "il:call:0:15": "bot.dialogs.ideas.idea_list",
    "il:top:0": "bot.dialogs.ideas.idea_list",
    "il:tp:0:roads": "bot.dialogs.ideas.idea_list",
    "itp": "bot.dialogs.ideas.topics_screen",
    "ish:1": "bot.dialogs.ideas.idea_screen",
    "isup:1": "bot.dialogs.ideas.support",
    "iuns:1": "bot.dialogs.ideas.unsupport",
    "icm:19:0": "bot.dialogs.ideas.comments_screen",
    "icm:19": "bot.dialogs.ideas.comments_screen",
    "icw:1": "bot.dialogs.ideas.write_comment",
    "irp:i:1": "bot.dialogs.ideas.report_screen",
    "irr:i:1:off_topic": "bot.dialogs.ideas.report_reason",
    "icl": "bot.dialogs.ideas.calls_screen",
    "icc:15": "bot.dialogs.ideas.call_screen",
    "ibk": "bot.dialogs.ideas.step_back",
    "icn": "bot.dialogs.ideas.step_cancel",
    "isk": "bot.dialogs.ideas.step_skip",
    "itop:culture": "bot.dialogs.ideas.step_choice",
    "idis:center": "bot.dialogs.ideas.step_choice",
    "isub": "bot.dialogs.ideas.step_submit",
    "ires": "bot.dialogs.ideas.resume",
    "idx": "bot.dialogs.ideas.step_discard",
    "cons": "bot.dialogs.consultations.consultation_list",
    "con:1": "bot.dialogs.consultations.consultation_screen",
    "cgo:1": "bot.dialogs.consultations.start",
    "cch:1:1:0": "bot.dialogs.consultations.choose",
    "cnx:1:3": "bot.dialogs.consultations.next_question",
    "cbk:1": "bot.dialogs.consultations.back",
    "cbk:1:2": "bot.dialogs.consultations.back",
    "cskp:1:5": "bot.dialogs.consultations.skip",
    "clt:1": "bot.dialogs.consultations.continue_later",
    "csub:1": "bot.dialogs.consultations.submit",
    "cres:1": "bot.dialogs.consultations.results_screen",
    "cchart:1": "bot.dialogs.consultations.charts_screen",
    "kts": "bot.dialogs.contests.contest_list",
    "kt:1": "bot.dialogs.contests.contest_screen",
    "kte:1": "bot.dialogs.contests.new_entry",
    "ktsk:1": "bot.dialogs.contests.skip_photo",
    "ktx:1": "bot.dialogs.contests.cancel",
    "ktl:1:0": "bot.dialogs.contests.entries_screen",
    "ktn:3": "bot.dialogs.contests.entry_screen",
    "ktv:3": "bot.dialogs.contests.vote",
    "ktr:1": "bot.dialogs.contests.results_screen",
    "orgs:0": "bot.dialogs.orgs.org_list",
    "orgs:0:all": "bot.dialogs.orgs.org_list",
    "org:1": "bot.dialogs.orgs.org_screen",
    "orgf:2": "bot.dialogs.orgs.follow",
    "orgu:2": "bot.dialogs.orgs.unfollow",
    "events:0": "bot.dialogs.events.event_list",
    "event:27": "bot.dialogs.events.event_screen",
    "rsvp:27:n": "bot.dialogs.events.rsvp",
    "pbs": "bot.dialogs.pb.pb_list",
    "pb:5": "bot.dialogs.pb.pb_screen",
    "pbn:5": "bot.dialogs.pb.new_project",
    "pbw:5:city": "bot.dialogs.pb.pick_pot",
    "pbsk:5": "bot.dialogs.pb.skip_photo",
    "pbx:5": "bot.dialogs.pb.cancel",
    "pbm:5": "bot.dialogs.pb.my_projects",
    "pbb:5:rotok:1": "bot.dialogs.pb.ballot_screen",
    "pbp:44": "bot.dialogs.pb.project_screen",
    "pba:44": "bot.dialogs.pb.add_project",
    "pbr:44": "bot.dialogs.pb.remove_project",
    "pbc:5:city": "bot.dialogs.pb.confirm_ballot",
    "pbok:5:city": "bot.dialogs.pb.submit_ballot",
    "pbres:5": "bot.dialogs.pb.results_screen",
    "pet": "bot.dialogs.petitions.petitions_menu",
    "pls:new:0": "bot.dialogs.petitions.petition_list",
    "pls:tp:0:roads": "bot.dialogs.petitions.petition_list",
    "ptp": "bot.dialogs.petitions.topics_screen",
    "psh:1": "bot.dialogs.petitions.petition_screen",
    "psg:1": "bot.dialogs.petitions.sign",
    "pshare:1": "bot.dialogs.petitions.share",
    "pnew": "bot.dialogs.petitions.file_petition",
    "padr:council": "bot.dialogs.petitions.draft_addressee",
    "ptop:roads": "bot.dialogs.petitions.draft_topic",
    "pbk": "bot.dialogs.petitions.draft_back",
    "pcn": "bot.dialogs.petitions.draft_cancel",
    "psub": "bot.dialogs.petitions.draft_submit",
    "rcpts": "bot.dialogs.receipts.my_receipts",
    "mydata": "bot.dialogs.privacy.my_data",
    "forget": "bot.dialogs.privacy.forget_me",
    "forgetok": "bot.dialogs.privacy.forget_me_confirmed",
    "verify": "bot.dialogs.identity.verify_screen",
    "linkcode": "bot.dialogs.identity.link_code_screen",
    "linkenter": "bot.dialogs.identity.enter_code_screen",
    "linkyes": "bot.dialogs.identity.confirm_link",
    "linkno": "bot.dialogs.identity.cancel_link",
    "unlink": "bot.dialogs.identity.unlink_screen",
    "unlinkyes": "bot.dialogs.identity.confirm_unlink",
}


def test_every_prefix_on_main_is_pinned() -> None:
    assert {p.split(":")[0] for p in PINNED} == set(ACTIONS)


@pytest.mark.parametrize(("payload", "handler"), PINNED.items(), ids=list(PINNED))
def test_payload_sent_before_typed_actions_routes_to_the_same_handler(
    payload: str, handler: str
) -> None:
    route = ACTIONS[payload.split(":")[0]]
    assert f"{route.handler.__module__}.{route.handler.__qualname__}" == handler
    action = route.action.unpack(payload)  # raises StaleButtonError if it no longer decodes
    assert action.pack() == payload or route.action.IGNORES_EXTRA or payload == "icm:19"


@dataclass(frozen=True, slots=True)
class _Twin(Action):
    PREFIX = "vote"  # polls already claim it
    poll_id: Id


async def _answer(turn: object, action: _Twin) -> list[object]:
    return []


def test_a_prefix_claimed_twice_is_refused_at_start_up() -> None:
    with pytest.raises(DuplicateActionError, match="'vote'"):
        compose(ACTIONS.values(), (on(_Twin, _answer),))
