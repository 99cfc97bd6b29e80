"""Keep aiogram's parametrised response models alive for the life of the process.

aiogram validates every Bot API answer with `Response[method.__returning__]`. pydantic caches
parametrised generic models in a WeakValueDictionary, so a parametrisation nobody holds (e.g.
`Response[Message | bool]` of editMessageText) is collected by the garbage collector and then
rebuilt — a whole model class, ~4 ms of CPU — by a later call. Profiling the webhook showed
~9% of the bot's CPU going there. Holding them here makes every later call a cache hit.
"""

from __future__ import annotations

from typing import Any

from aiogram import methods
from aiogram.client.session.base import Response

# Every Bot API method Spilno calls through aiogram.
USED_METHODS = (
    methods.AnswerCallbackQuery,
    methods.DeleteMyCommands,
    methods.DeleteWebhook,
    methods.EditMessageText,
    methods.GetChat,
    methods.GetChatMember,
    methods.GetMe,
    methods.GetUpdates,
    methods.SendMessage,
    methods.SendPhoto,
    methods.SetMyCommands,
    methods.SetWebhook,
)

_PINNED: dict[type[Any], type[Any]] = {}


def pin_response_models() -> None:
    """Build each used method's response model once and hold it (idempotent)."""
    for method in USED_METHODS:
        if method not in _PINNED:
            _PINNED[method] = Response[method.__returning__]  # type: ignore[name-defined]
