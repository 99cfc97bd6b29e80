"""Settings → My data (everything Spilno holds, as a JSON file) and Delete my data."""

from __future__ import annotations

from dataclasses import dataclass

from bot.dialogs.nav import SETTINGS, START
from bot.dialogs.turn import Route, Turn, on
from bot.ui import Action, Button, Reply, encode_payload
from core.citizens import export, forget
from core.delivery.messenger import Document
from core.kernel.i18n import _


@dataclass(frozen=True, slots=True)
class MyData(Action):
    PREFIX = "mydata"
    IGNORES_EXTRA = True


@dataclass(frozen=True, slots=True)
class ForgetMe(Action):
    PREFIX = "forget"
    IGNORES_EXTRA = True


@dataclass(frozen=True, slots=True)
class ForgetMeConfirmed(Action):
    PREFIX = "forgetok"
    IGNORES_EXTRA = True


MY_DATA = MyData.PREFIX
FORGET_ME = ForgetMe.PREFIX
FORGET_ME_CONFIRMED = ForgetMeConfirmed.PREFIX
FILENAME = "spilno-my-data.json"


def _back() -> tuple[Button, ...]:
    return (Button(_("« Settings"), encode_payload(SETTINGS)),)


async def my_data(turn: Turn, _action: MyData | None = None) -> list[Reply]:
    document = await export.export_resident(turn.uow, turn.citizen.id, now=turn.now)
    return [
        Reply(
            _(
                "📦 This is everything Spilno holds about you: your accounts, settings, what "
                "you follow, your ideas, comments, answers, votes with receipts and events."
            ),
            buttons=(_back(),),
            document=Document(FILENAME, export.as_json_bytes(document)),
        )
    ]


async def forget_me(turn: Turn, _action: ForgetMe | None = None) -> list[Reply]:
    return [
        Reply(
            _(
                "🗑 Delete my data?\n\n"
                "Your accounts, settings and what you follow are deleted. Your ideas and "
                'comments stay, signed "deleted by the author". Your votes and answers in '
                "campaigns still open are withdrawn; in closed ones they stay in the results, "
                "with nothing that leads to you.\n\n"
                "This cannot be undone. If you write again later, you start as a new resident."
            ),
            buttons=(
                (Button(_("🗑 Yes, delete my data"), encode_payload(FORGET_ME_CONFIRMED)),),
                _back(),
            ),
        )
    ]


async def forget_me_confirmed(turn: Turn, _action: ForgetMeConfirmed | None = None) -> list[Reply]:
    await forget.forget_citizen(turn.uow, turn.citizen.id, now=turn.now, locale=turn.default_locale)
    turn.citizen.dialog_state = {}  # the row is gone; nothing is saved for it
    return [
        Reply(
            _(
                "Your data is deleted. Thank you for taking part. If you write to the bot "
                "again, you start as a new resident."
            ),
            buttons=((Button(_("Start again"), encode_payload(START)),),),
        )
    ]


ROUTES: tuple[Route, ...] = (
    on(MyData, my_data),
    on(ForgetMe, forget_me),
    on(ForgetMeConfirmed, forget_me_confirmed),
)
