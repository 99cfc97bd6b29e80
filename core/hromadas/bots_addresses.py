"""Where each hromada's bots can be found, for links residents share outside the chat (a
petition's link opens it in the bot): the fleet of running bots (bot/channels.py) publishes
each bot's address as it starts it — the @username stored with the bot, else the one Telegram
reports (getMe) — and withdraws it when the bot stops.

A hromada's link always names its own bot: a resident of Lviv shares Lviv's bot, never the
installation-wide SPILNO_TELEGRAM_BOT_USERNAME, which only the first hromada falls back to.
"""

from __future__ import annotations

from dataclasses import replace

from core.delivery.links import BotAddresses
from core.hromadas.scope import DEFAULT_HROMADA_ID

_published: dict[int, BotAddresses] = {}


def publish(hromada_id: int, platform: str, address: str | None) -> None:
    """`address`: the Telegram @username (without the @), or the Viber chat URI."""
    current = _published.get(hromada_id, BotAddresses())
    if platform == "telegram":
        current = replace(current, telegram_username=address)
    elif platform == "viber":
        current = replace(current, viber_chat_uri=address)
    _published[hromada_id] = current


def withdraw(hromada_id: int, platform: str) -> None:
    publish(hromada_id, platform, None)


def addresses_for(hromada_id: int, installation: BotAddresses) -> BotAddresses:
    """The hromada's bots; the first hromada falls back to the installation's settings for a
    platform whose bot published no address (a legacy bot of SPILNO_TELEGRAM_TOKEN)."""
    own = _published.get(hromada_id, BotAddresses())
    if hromada_id != DEFAULT_HROMADA_ID:
        return own
    return BotAddresses(
        own.telegram_username or installation.telegram_username,
        own.viber_chat_uri or installation.viber_chat_uri,
    )


def forget() -> None:
    """Tests: no addresses from a previous test's bots."""
    _published.clear()
