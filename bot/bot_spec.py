"""What one bot's channel is built from (bot/channels.py builds, the adapters read it)."""

from __future__ import annotations

from dataclasses import dataclass

from core.delivery.messenger import BotKey


@dataclass(frozen=True, slots=True)
class BotSpec:
    """What one bot's channel is built from; `bot_id` None is a legacy bot of the settings."""

    key: BotKey
    bot_id: int | None
    token: str
    webhook_secret: str
    # The @username stored with the bot (links residents share); None: ask the platform.
    username: str | None = None

    @property
    def webhook_path(self) -> str:
        base = f"/{self.key.platform}/webhook"
        return base if self.bot_id is None else f"{base}/{self.bot_id}"

    @property
    def version(self) -> tuple[int | None, str, str]:
        """A running channel is rebuilt when this changes."""
        return (self.bot_id, self.token, self.webhook_secret)

    def __repr__(self) -> str:  # never a secret in a log line
        return f"BotSpec({self.key}, bot_id={self.bot_id})"
