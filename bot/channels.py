"""The registry of messenger channels. Configuration (a token) enables a channel.

A new messenger is one folder under bot/ with a `build_channel(app, dialogs)` that returns a
Channel, plus one line in CHANNEL_BUILDERS.
"""

from __future__ import annotations

import importlib
from typing import Protocol

from aiohttp import web

from bot.dialogs import Dialogs
from core.bootstrap import App
from core.delivery.messenger import Messenger


class Channel(Protocol):
    name: str
    messenger: Messenger

    def web_routes(self) -> list[web.RouteDef]:
        """Webhook routes this channel serves from the shared aiohttp app (may be empty)."""
        ...

    async def start(self) -> None:
        """Begin receiving: register the webhook, or start long polling."""
        ...

    async def stop(self) -> None:
        """Stop receiving and release connections."""
        ...


# name → (settings attribute that enables it, "module:function" building it)
CHANNEL_BUILDERS: dict[str, tuple[str, str]] = {
    "telegram": ("telegram_token", "bot.telegram.channel:build_channel"),
    "viber": ("viber_token", "bot.viber.channel:build_channel"),
}


def configured_channels(app: App, dialogs: Dialogs) -> list[Channel]:
    channels: list[Channel] = []
    for setting, target in CHANNEL_BUILDERS.values():
        if getattr(app.settings, setting) is None:
            continue
        module_name, _sep, function = target.partition(":")
        build = getattr(importlib.import_module(module_name), function)
        channels.append(build(app, dialogs))
    return channels
