"""Settings → what to follow: topics and parts of the city, toggled with ✅ buttons."""

from __future__ import annotations

from bot.dialogs.engine import Turn
from bot.dialogs.menu import SETTINGS
from bot.ui import Button, Reply, decode_payload, encode_payload
from core.citizens import subscriptions
from core.hromadas.taxonomy import DISTRICTS, TOPICS
from core.kernel.errors import ValidationError
from core.kernel.i18n import _

TOPICS_SCREEN = "stopics"
DISTRICTS_SCREEN = "sdistr"
TOGGLE = "follow"  # follow:<topic|district>:<code>

_CHECKED = "✅ "


async def topics_screen(turn: Turn) -> list[Reply]:
    return [await _screen(turn, "topic")]


async def districts_screen(turn: Turn) -> list[Reply]:
    return [await _screen(turn, "district")]


async def toggle(turn: Turn) -> list[Reply]:
    _action, args = decode_payload(turn.incoming.payload or "")
    if len(args) != 2:
        raise ValidationError("malformed_payload", payload=turn.incoming.payload)
    kind, code = args
    now_following = await subscriptions.toggle(turn.uow, turn.citizen, kind, code)
    names = TOPICS if kind == "topic" else DISTRICTS
    notice = (
        _("You now follow “{name}”.") if now_following else _("You no longer follow “{name}”.")
    ).format(name=_(names[code]))
    return [await _screen(turn, kind, notice)]


async def _screen(turn: Turn, kind: str, notice: str | None = None) -> Reply:
    turn.citizen.dialog_state = {"screen": TOPICS_SCREEN if kind == "topic" else DISTRICTS_SCREEN}
    following = await subscriptions.followed(turn.uow, turn.citizen.id, kind)
    names = TOPICS if kind == "topic" else DISTRICTS
    intro = (
        _(
            "Choose the topics you care about: we will tell you when a poll or a consultation on them opens."
        )
        if kind == "topic"
        else _("Choose the parts of the city you care about: we will tell you about news there.")
    )
    rows: list[tuple[Button, ...]] = []
    pair: list[Button] = []
    for code, name in names.items():
        label = (_CHECKED if code in following else "") + _(name)
        pair.append(Button(label, encode_payload(TOGGLE, kind, code)))
        if len(pair) == 2:
            rows.append(tuple(pair))
            pair = []
    if pair:
        rows.append(tuple(pair))
    rows.append((Button(_("« Settings"), encode_payload(SETTINGS)),))
    text = intro if notice is None else notice + "\n\n" + intro
    return Reply(text, buttons=tuple(rows))
