"""Running the real Telegram channel against the fake Bot API, and a scripted resident."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web

from bot.dialogs import Dialogs
from bot.telegram.channel import WEBHOOK_PATH, TelegramChannel
from bot.web import build_web_app
from core.bootstrap import App
from core.campaigns import service as campaigns
from core.polls import service as polls
from tests.fakes.telegram_api import Call, FakeTelegramAPI
from tests.processes import free_port


@asynccontextmanager
async def running_channel(
    app: App, fake: FakeTelegramAPI, *, mode: str, dialogs: Dialogs | None = None
) -> AsyncIterator[TelegramChannel]:
    """The channel started in `mode` ("polling" or "webhook"), its web app serving webhooks."""
    dialogs = dialogs or Dialogs(app.uow_factory, clock=app.clock, default_locale="uk")
    port = free_port()
    channel = TelegramChannel(
        app,
        dialogs,
        token=fake.token,
        api_url=fake.base_url,
        webhook_url=f"http://127.0.0.1:{port}{WEBHOOK_PATH}" if mode == "webhook" else None,
    )
    runner = web.AppRunner(build_web_app(app, [channel]), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        await channel.start()
        yield channel
    finally:
        await channel.stop()
        await runner.cleanup()


async def open_poll(app: App, question: str, options: list[str]) -> int:
    async with app.uow_factory() as uow:
        poll = await polls.create_poll(
            uow, question=question, options=options, actor="official", now=app.clock()
        )
        await campaigns.open_campaign(uow, poll.id, actor="official", now=app.clock())
        await uow.commit()
    return poll.id


class Resident:
    """One Telegram user talking to the bot through the fake, in polling or webhook mode."""

    def __init__(
        self, fake: FakeTelegramAPI, user_id: int, *, mode: str, language_code: str = "uk"
    ) -> None:
        self.fake = fake
        self.user_id = user_id
        self.mode = mode
        self.language_code = language_code

    async def deliver(self, update: dict[str, Any]) -> int | None:
        """Hand an update to the bot the way the mode does; the webhook's HTTP status."""
        if self.mode == "webhook":
            return await self.fake.post_to_webhook(update)
        self.fake.queue_update(update)
        return None

    async def say(self, text: str | None = None, **content: Any) -> dict[str, Any]:
        update = self.fake.message_update(
            self.user_id, text, language_code=self.language_code, **content
        )
        await self.deliver(update)
        return update

    async def press(self, label_part: str) -> dict[str, Any]:
        message_id, data = self.fake.find_button(self.user_id, label_part)
        update = self.fake.callback_update(
            self.user_id, data, message_id=message_id, language_code=self.language_code
        )
        await self.deliver(update)
        return update

    def _shown(self, call: Call, text_part: str) -> bool:
        return (
            call.ok
            and call.chat_id == self.user_id
            and call.method in {"sendMessage", "sendPhoto", "editMessageText"}
            and (
                text_part in (call.text or "")
                or any(text_part in b["text"] for row in call.keyboard for b in row)
            )
        )

    async def sees(self, text_part: str, *, count: int = 1, within: float = 10.0) -> Call:
        """Wait until the bot has shown this resident `text_part` (in a text or on a button)."""
        calls = await self.fake.wait_for(
            lambda c: self._shown(c, text_part), count=count, within=within
        )
        return calls[-1]
