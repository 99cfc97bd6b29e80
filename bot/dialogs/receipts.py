"""Receipts: the line under a vote's confirmation, and Settings → My receipts."""

from __future__ import annotations

from dataclasses import dataclass

from bot.dialogs.nav import SETTINGS
from bot.dialogs.turn import Route, Turn, on
from bot.ui import Action, Button, Reply, encode_payload
from core.kernel.i18n import _
from core.pb.charts import pot_name
from core.trust import receipts


@dataclass(frozen=True, slots=True)
class MyReceipts(Action):
    PREFIX = "rcpts"
    IGNORES_EXTRA = True


MY_RECEIPTS = MyReceipts.PREFIX


def receipt_line(code: str) -> str:
    return _(
        "🧾 Your receipt: {code}. When the results are published as open data, this code "
        "shows your ballot was counted as cast. Settings → My receipts keeps it."
    ).format(code=code)


async def my_receipts(turn: Turn, _action: MyReceipts | None = None) -> list[Reply]:
    found = await receipts.my_receipts(turn.uow, turn.citizen.id)
    if found:
        lines = [_("🧾 Your receipts (the last one for each vote):"), ""]
        lines += [
            f"{r.receipt} — {r.title}" + (f" ({pot_name(r.pot)})" if r.pot else "") for r in found
        ]
    else:
        lines = [
            _(
                "You have no receipts yet: you get one each time you vote in a poll, a contest "
                "or a public budget."
            )
        ]
    return [
        Reply(
            "\n".join(lines),
            buttons=((Button(_("« Settings"), encode_payload(SETTINGS)),),),
        )
    ]


ROUTES: tuple[Route, ...] = (on(MyReceipts, my_receipts),)
