"""Can the bot post to this Telegram channel? Asked through the Bot API before linking it.

getMe (our bot id) → getChat(@channel) → getChatMember(chat, bot): the bot must be the
channel's creator or an administrator with "Post messages" (in a group, any admin may post).
"""

from __future__ import annotations

from dataclasses import dataclass

from aiogram import Bot
from aiogram.exceptions import (
    AiogramError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNotFound,
)

from bot.telegram.api_errors import api_problem
from bot.telegram.channel import build_bot
from core.kernel.redaction import redact


@dataclass(frozen=True, slots=True)
class VerifiedChannel:
    chat_id: str
    username: str | None
    title: str
    kind: str  # channel · supergroup · group


class ChannelCheckError(Exception):
    """`reason`: chat_not_found · bot_not_admin · cannot_post · private_chat, or a problem of
    the bot's settings: unauthorized · unreachable · refused (see api_errors)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        detail = redact(detail)  # aiohttp's texts quote the URL, token included
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail

    @property
    def is_setting_problem(self) -> bool:
        return self.reason in ("unauthorized", "unreachable", "refused")


def normalize_chat(value: str) -> str:
    """'@name', 'name', 't.me/name' or a numeric id → what getChat accepts."""
    text = value.strip()
    for prefix in ("https://t.me/", "http://t.me/", "t.me/"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    if text.lstrip("-").isdigit():
        return text
    return "@" + text.lstrip("@")


async def verify_channel(bot: Bot, chat: str) -> VerifiedChannel:
    try:
        me = await bot.get_me()
        found = await bot.get_chat(normalize_chat(chat))
        if found.type == "private":
            raise ChannelCheckError("private_chat")
        member = await bot.get_chat_member(found.id, me.id)
    except (TelegramBadRequest, TelegramNotFound, TelegramForbiddenError) as error:
        # "chat not found" for an unknown @username or a private channel the bot is not in;
        # "member list is inaccessible" / forbidden when the bot is not a member at all.
        if "not found" in str(error).lower() or isinstance(error, TelegramNotFound):
            raise ChannelCheckError("chat_not_found", str(error)) from None
        raise ChannelCheckError("bot_not_admin", str(error)) from None
    except AiogramError as error:
        # A refused token, a timeout, a redirect loop, a 5xx, an answer aiogram cannot read.
        raise ChannelCheckError(*api_problem(error)) from None
    if member.status not in ("creator", "administrator"):
        raise ChannelCheckError("bot_not_admin", member.status)
    if (
        found.type == "channel"
        and member.status == "administrator"
        and not getattr(member, "can_post_messages", False)
    ):
        raise ChannelCheckError("cannot_post")
    return VerifiedChannel(
        chat_id=str(found.id),
        username=f"@{found.username}" if found.username else None,
        title=found.title or found.username or str(found.id),
        kind=str(found.type),
    )


async def verify_with_settings(token: str, api_url: str, chat: str) -> VerifiedChannel:
    bot = build_bot(token, api_url, timeout=15.0)
    try:
        return await verify_channel(bot, chat)
    finally:
        await bot.session.close()
