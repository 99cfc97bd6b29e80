"""Settings → what to follow: topics and parts of the city, toggled with ✅ buttons."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self

from bot.dialogs.nav import SETTINGS, FollowDistricts, FollowTopics
from bot.dialogs.turn import Route, Turn, on
from bot.ui import Action, Button, Reply, decode_payload, encode_payload
from core.citizens import subscriptions
from core.hromadas.taxonomy import district_name, districts, topic_name, topics
from core.kernel.errors import ValidationError
from core.kernel.i18n import _, current_locale

TOPICS_SCREEN = FollowTopics.PREFIX
DISTRICTS_SCREEN = FollowDistricts.PREFIX


@dataclass(frozen=True, slots=True)
class Toggle(Action):
    """`follow:<topic|district>:<code>`; the codes are checked by the service, which explains."""

    PREFIX = "follow"
    fields: tuple[str, ...]

    def pack(self) -> str:
        return encode_payload(self.PREFIX, *self.fields)

    @classmethod
    def unpack(cls, payload: str) -> Self:
        return cls(tuple(decode_payload(payload)[1]))


TOGGLE = Toggle.PREFIX

_CHECKED = "✅ "


async def topics_screen(turn: Turn, _action: FollowTopics | None = None) -> list[Reply]:
    return [await _screen(turn, "topic")]


async def districts_screen(turn: Turn, _action: FollowDistricts | None = None) -> list[Reply]:
    return [await _screen(turn, "district")]


async def toggle(turn: Turn, action: Toggle) -> list[Reply]:
    if len(action.fields) != 2:
        raise ValidationError("malformed_payload", payload=turn.incoming.payload)
    kind, code = action.fields
    now_following = await subscriptions.toggle(turn.uow, turn.citizen, kind, code)
    name = topic_name(code) if kind == "topic" else district_name(code)
    notice = (
        _("You now follow “{name}”.") if now_following else _("You no longer follow “{name}”.")
    ).format(name=name)
    return [await _screen(turn, kind, notice)]


async def _screen(turn: Turn, kind: str, notice: str | None = None) -> Reply:
    turn.citizen.dialog_state = {"screen": TOPICS_SCREEN if kind == "topic" else DISTRICTS_SCREEN}
    following = await subscriptions.followed(turn.uow, turn.citizen.id, kind)
    # Retired ones stay listed while the resident follows them, so they can unfollow.
    entries = topics(retired=True) if kind == "topic" else districts(retired=True)
    names = {
        e.code: e.names.get(current_locale())
        for e in entries
        if not e.retired or e.code in following
    }
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
        label = (_CHECKED if code in following else "") + name
        pair.append(Button(label, encode_payload(TOGGLE, kind, code)))
        if len(pair) == 2:
            rows.append(tuple(pair))
            pair = []
    if pair:
        rows.append(tuple(pair))
    rows.append((Button(_("« Settings"), encode_payload(SETTINGS)),))
    text = intro if notice is None else notice + "\n\n" + intro
    return Reply(text, buttons=tuple(rows))


ROUTES: tuple[Route, ...] = (
    on(FollowTopics, topics_screen),
    on(FollowDistricts, districts_screen),
    on(Toggle, toggle),
)
