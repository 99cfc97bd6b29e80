"""Links: what a button in a message rendered by core offers, never how the bot routes it.

Core renders pushes, announcements and notifications once, into the outbox, in the same
transaction as the change that caused them (core/delivery/outbox.py), so their buttons are
written then. Core says only *what* a button opens — the main menu, a campaign or its results,
an idea, an event, an organization, the phone confirmation — and the bot answers each link with one of its own typed
actions (bot/dialogs/links.py; a test fails if a link has none). The values are what residents'
chats already hold, so they never change; a kind adds no link of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import quote

from core.delivery.payloads import encode_payload


class Link(StrEnum):
    MAIN_MENU = "menu"
    CAMPAIGN = "open"  # a campaign of any kind, by id; optionally one of its views
    IDEA = "ish"
    EVENT = "event"
    ORGANIZATION = "org"
    VERIFY = "verify"  # Settings → confirm my phone number (the share-phone screen)


class CampaignView(StrEnum):
    """Which screen of a campaign its link opens (none: the campaign itself)."""

    RESULTS = "results"


def link(target: Link, *fields: int | str) -> str:
    """The button payload of a link: `link(Link.CAMPAIGN, 12, CampaignView.RESULTS)`."""
    return encode_payload(target.value, *fields)


@dataclass(frozen=True, slots=True)
class BotAddresses:
    """Where the bots live, for links residents share outside the chat (a petition's link):
    SPILNO_TELEGRAM_BOT_USERNAME and SPILNO_VIBER_CHAT_URI; carried as `uow.policies.bots`."""

    telegram_username: str | None = None
    viber_chat_uri: str | None = None

    def deep_link(self, platform: str, start: str) -> str | None:
        """A link that opens the bot on `platform` with `start` (Telegram's start parameter,
        Viber's context); None when that bot's address is not configured."""
        if platform == "telegram" and self.telegram_username:
            return f"https://t.me/{self.telegram_username}?start={start}"
        if platform == "viber" and self.viber_chat_uri:
            return f"viber://pa?chatURI={quote(self.viber_chat_uri)}&context={start}"
        return None
