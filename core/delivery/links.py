"""Links: what a button in a message rendered by core offers, never how the bot routes it.

Core renders pushes, announcements and notifications once, into the outbox, in the same
transaction as the change that caused them (core/delivery/outbox.py), so their buttons are
written then. Core says only *what* a button opens — the main menu, a campaign or its results,
an idea, an event, an organization, the phone confirmation — and the bot answers each link with one of its own typed
actions (bot/dialogs/links.py; a test fails if a link has none). The values are what residents'
chats already hold, so they never change; a kind adds no link of its own.
"""

from __future__ import annotations

from enum import StrEnum

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
