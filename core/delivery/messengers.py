"""Which bot is which (`BotKey`: a hromada's bot on one platform) and every running bot's
Messenger by its key (`Messengers`). Apart from the Messenger port (messenger.py) because every
process builds an App with a `Messengers`, while most (a CLI command) never send anything."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.hromadas.scope import DEFAULT_HROMADA_ID

if TYPE_CHECKING:
    from core.delivery.messenger import Messenger


@dataclass(frozen=True, slots=True, order=True)
class BotKey:
    """One bot: a hromada's bot on one platform (at most one each, `bots` table)."""

    hromada_id: int
    platform: str

    @classmethod
    def of(cls, key: BotKey | str) -> BotKey:
        """A bare platform name is the first hromada's bot (a single-city installation)."""
        return key if isinstance(key, BotKey) else cls(DEFAULT_HROMADA_ID, key)

    @property
    def budget(self) -> str:
        """The bot's row in `delivery_platforms` (its send budget and 429 pause, shared by
        every worker); the first hromada's keeps the platform's name from before hromadas."""
        if self.hromada_id == DEFAULT_HROMADA_ID:
            return self.platform
        return f"{self.platform}@{self.hromada_id}"

    def __str__(self) -> str:
        return self.budget


class Messengers(dict[BotKey, "Messenger"]):
    """Every bot's Messenger by (hromada, platform). Bots come and go while running (a hromada
    sets a new bot), so workers keep this very dict and look it up on each batch. A bare
    platform name as the key means the first hromada's bot."""

    def __setitem__(self, key: BotKey | str, value: Messenger) -> None:
        super().__setitem__(BotKey.of(key), value)

    def __getitem__(self, key: BotKey | str) -> Messenger:
        return super().__getitem__(BotKey.of(key))

    def __delitem__(self, key: BotKey | str) -> None:
        super().__delitem__(BotKey.of(key))

    def __contains__(self, key: object) -> bool:
        return isinstance(key, BotKey | str) and super().__contains__(BotKey.of(key))

    def get(self, key: BotKey | str, default: Messenger | None = None) -> Messenger | None:  # type: ignore[override]
        return super().get(BotKey.of(key), default)

    def pop(self, key: BotKey | str, *default: Messenger | None) -> Messenger | None:  # type: ignore[override]
        return super().pop(BotKey.of(key), *default)
