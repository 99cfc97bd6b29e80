"""The Telegram channel: aiogram receives (long polling or webhook), the dialogs decide, we render.

Thin on purpose: an update becomes an `Incoming`, `Dialogs.handle` does the work inside one unit
of work (dedup included), and the replies are rendered natively — the first reply to a button
press edits the message the button was on, the rest are sent as new messages.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import replace
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramAPIError
from aiogram.methods import AnswerCallbackQuery
from aiogram.types import (
    BotCommand,
    CallbackQuery,
    ChatMemberUpdated,
    Message,
    Update,
)
from aiohttp import web
from pydantic import ValidationError

from bot.apology import apology
from bot.bot_spec import BotSpec
from bot.dialogs import Dialogs
from bot.edge import MalformedUpdateError, bot_update_id, handling_for
from bot.flood import ChatPacer, FloodGate, Lane
from bot.telegram.bot_api import BotApi
from bot.telegram.mapping import (
    PLATFORM,
    callback_to_incoming,
    identity_of,
    message_to_incoming,
)
from bot.telegram.messenger import SendPause, TelegramMessenger, send
from bot.telegram.replies import PacedApi, edit_reply
from bot.telegram.response_models import pin_response_models
from bot.ui import Incoming, IncomingKind, Reply
from core.bootstrap import App
from core.citizens import service as citizens
from core.citizens.model import SUPPORTED_LOCALES, IdentityRef, initial_locale
from core.delivery.messenger import RateLimited, Scope, SendOutcome, Sent, Unreachable
from core.delivery.worker import PlatformLimits
from core.hromadas.scope import DEFAULT_HROMADA_ID, in_hromada
from core.kernel.i18n import _, use_locale
from core.kernel.redaction import redact, register_secret
from core.kernel.unit_of_work import StorageUnavailableError

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_SECRET_LABEL = b"spilno/telegram/webhook-secret/v1"

# A direct reply waits out a 429 this many times, and never longer than this in total.
REPLY_RETRIES = 2
REPLY_MAX_WAIT_S = 15.0
POLLING_TIMEOUT_S = 25


def derive_webhook_secret(key: str) -> str:
    """Every web process derives the same secret from configuration: nothing to store or share.

    HMAC-SHA256 hex: 64 characters of [0-9a-f], within Telegram's 1–256 [A-Za-z0-9_-].
    """
    return hmac.new(key.encode(), _SECRET_LABEL, hashlib.sha256).hexdigest()


def bot_commands() -> list[BotCommand]:
    """The command menu, in the current locale."""
    return [
        BotCommand(command="start", description=_("Start over: the main menu")),
        BotCommand(command="help", description=_("What Spilno can do")),
        BotCommand(command="language", description=_("Change the language")),
        BotCommand(command="stop", description=_("Stop all notifications")),
    ]


def build_bot(token: str, api_url: str, *, timeout: float = 30.0) -> Bot:
    register_secret(token)
    pin_response_models()
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_url), timeout=timeout)
    return Bot(token, session=session)


class TelegramChannel:
    name = PLATFORM

    # The hromada whose bot this channel is: its updates are handled in that hromada's scope
    # (bot/dialogs/engine.py). One channel per hromada's bot sets it; 1 is the first hromada.
    hromada_id: int = DEFAULT_HROMADA_ID

    def __init__(
        self,
        app: App,
        dialogs: Dialogs,
        *,
        token: str,
        api_url: str = "https://api.telegram.org",
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        default_locale: str = "uk",
        flood_gate: FloodGate | None = None,
        chat_interval_s: float = 0.0,
        limits: PlatformLimits | None = None,
        hromada_id: int = DEFAULT_HROMADA_ID,
        update_scope: str | None = None,
    ) -> None:
        self._app = app
        self._update_scope = update_scope  # bot/edge.py: bot_update_id
        # Every update this bot receives is handled in its hromada (bot/edge.py).
        self.hromada_id = hromada_id
        self.flood_gate = FloodGate(0, 1.0) if flood_gate is None else flood_gate  # off
        self.pacer = ChatPacer(chat_interval_s)
        self._dialogs = dialogs
        self._default_locale = default_locale
        self.bot = build_bot(token, api_url)
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret or derive_webhook_secret(token)
        register_secret(self.webhook_secret)
        self.pause = SendPause()
        self.messenger = TelegramMessenger(self.bot, self.pause, limits)
        self._api = BotApi(self.bot)
        # Dialog state lives in the database (the engine), so aiogram's FSM is not used.
        self._dispatcher = Dispatcher(disable_fsm=True)
        self._dispatcher.include_router(self._router())
        self._polling: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[Any]] = set()

    # ---- Channel protocol --------------------------------------------------------------------

    def web_routes(self) -> list[web.RouteDef]:
        return [web.post(WEBHOOK_PATH, self.handle_webhook)] if self.webhook_url else []

    async def start(self) -> None:
        await self._set_commands()
        allowed = self._dispatcher.resolve_used_update_types()
        if self.webhook_url:
            await self.bot.set_webhook(
                self.webhook_url, secret_token=self.webhook_secret, allowed_updates=allowed
            )
            log.info("Telegram webhook registered at %s", self.webhook_url)
            return
        # Telegram refuses getUpdates while a webhook is set.
        await self.bot.delete_webhook(drop_pending_updates=False)
        # The polling task (and each update's task aiogram starts from it) copies this
        # context: every update of this bot is handled in its hromada.
        with handling_for(self.hromada_id):
            self._polling = self._start_polling(allowed)
        log.info("Telegram long polling started for hromada %s", self.hromada_id)

    def _start_polling(self, allowed: list[str]) -> asyncio.Task[None]:
        return asyncio.create_task(
            self._dispatcher.start_polling(
                self.bot,
                polling_timeout=POLLING_TIMEOUT_S,
                allowed_updates=allowed,
                handle_signals=False,  # the runner owns the signals
                close_bot_session=False,
            ),
            name=f"telegram-polling-{self.hromada_id}",
        )

    async def stop(self) -> None:
        if self._polling is not None:
            if not self._polling.done():
                try:
                    await self._dispatcher.stop_polling()
                except RuntimeError:  # stopped before the polling task even began
                    self._polling.cancel()
            try:
                await self._polling
            except asyncio.CancelledError:
                pass
            except Exception:
                log.exception("Telegram polling ended with an error")
            self._polling = None
        if self._background:
            await asyncio.wait(self._background, timeout=10)
        await self.bot.session.close()

    async def username(self) -> str | None:
        """The bot's @username as Telegram knows it (getMe; aiogram keeps the answer)."""
        return (await self.bot.me()).username

    # ---- webhook -----------------------------------------------------------------------------

    async def handle_webhook(self, request: web.Request) -> web.StreamResponse:
        with handling_for(self.hromada_id):  # the replies' tasks copy it too
            return await self._handle_webhook(request)

    async def _handle_webhook(self, request: web.Request) -> web.StreamResponse:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.webhook_secret.encode()):
            log.warning("Telegram webhook: request without the right secret token refused")
            return web.Response(status=401)
        try:
            update = Update.model_validate(await request.json(), context={"bot": self.bot})
        except (ValueError, ValidationError, RecursionError):
            # RecursionError: JSON nested thousands of levels deep.
            log.warning("Telegram webhook: malformed update refused")
            return web.Response(status=400)
        if (dropped := self._dropped_early(update)) is not None:
            return dropped
        try:
            answer = await self._dispatcher.feed_update(self.bot, update, webhook=True)
        except StorageUnavailableError:
            # Nothing was committed; Telegram redelivers on a non-2xx answer.
            log.warning(
                "update %s: database unavailable, asking Telegram to retry", update.update_id
            )
            return web.Response(status=503)
        except Exception:
            log.exception("update %s: handling failed", update.update_id)
            return web.Response(status=200)
        if isinstance(answer, AnswerCallbackQuery):
            # Telegram executes one method given in the webhook answer: one round trip saved.
            body = answer.model_dump(exclude_none=True)
            return web.json_response({"method": "answerCallbackQuery", **body})
        return web.Response(status=200)

    def _dropped_early(self, update: Update) -> web.Response | None:
        """A flood's update past its slow-down note, answered before aiogram dispatches it:
        dispatching costs more than everything else a dropped update does."""
        event = update.message or update.callback_query
        user = event.from_user if event is not None else None
        try:
            identity = identity_of(user) if user is not None else None
        except MalformedUpdateError:
            return None  # the full path says why it is ignored
        if identity is None or not self.flood_gate.drop_early(identity, str(update.update_id)):
            return None
        if update.callback_query is not None:  # stop the button's spinner all the same
            query = {"method": "answerCallbackQuery", "callback_query_id": update.callback_query.id}
            return web.json_response(query)
        return web.Response(status=200)

    # ---- update handlers ---------------------------------------------------------------------

    def _router(self) -> Router:
        router = Router(name=__name__)
        router.message.register(self._on_message)
        router.callback_query.register(self._on_callback)
        router.my_chat_member.register(self._on_membership)
        return router

    async def _on_message(
        self, message: Message, event_update: Update, webhook: bool = False
    ) -> None:
        try:
            incoming = message_to_incoming(message, event_update.update_id)
        except MalformedUpdateError as error:
            log.warning("update %.40r ignored: %s", event_update.update_id, error)
            return
        if incoming is None:
            return
        if (held := self.flood_gate.hold(incoming, self._default_locale)) is not None:
            await self._deliver(incoming, message.chat.id, held, None, webhook=webhook, note=True)
            return
        replies = await self._handle(incoming, message.chat.id, webhook=webhook)
        await self._deliver(incoming, message.chat.id, replies, None, webhook=webhook)

    async def _on_callback(
        self, callback_query: CallbackQuery, event_update: Update, webhook: bool = False
    ) -> AnswerCallbackQuery | None:
        try:
            incoming = callback_to_incoming(callback_query, event_update.update_id)
        except MalformedUpdateError as error:
            log.warning("update %.40r ignored: %s", event_update.update_id, error)
            return None
        answer = AnswerCallbackQuery(callback_query_id=callback_query.id)
        source = callback_query.message
        chat_id = source.chat.id if source is not None else callback_query.from_user.id
        # Messages older than 48 h come back inaccessible: they cannot be edited.
        edit_id = source.message_id if isinstance(source, Message) else None
        if (held := self.flood_gate.hold(incoming, self._default_locale)) is not None:
            # Flooding: no dialog; a slow-down note is a message of its own, not an edit.
            if not webhook:  # the spinner first: the note may wait for the chat's pace
                await self._quietly(self.bot(answer))
            await self._deliver(incoming, chat_id, held, None, webhook=webhook, note=True)
            return answer if webhook else None
        if webhook:
            replies = await self._handle(incoming, chat_id, webhook=True)
            await self._deliver(incoming, chat_id, replies, edit_id, webhook=True)
            return answer  # goes back in the webhook response
        # Polling: stop the button's spinner while the dialogs work.
        answered = asyncio.create_task(self._quietly(self.bot(answer)))
        replies = await self._handle(incoming, chat_id, webhook=False)
        await answered
        await self._deliver(incoming, chat_id, replies, edit_id, webhook=False)
        return None

    async def _on_membership(self, my_chat_member: ChatMemberUpdated) -> None:
        # The resident blocked the bot: stop bulk sends now rather than at the next 403.
        if (
            my_chat_member.chat.type == "private"
            and my_chat_member.new_chat_member.status == "kicked"
        ):
            try:
                identity = identity_of(my_chat_member.from_user)
            except MalformedUpdateError as error:
                log.warning("membership update ignored: %s", error)
                return
            await self._mark_unreachable(identity)

    async def _handle(self, incoming: Incoming, chat_id: int, *, webhook: bool) -> list[Reply]:
        incoming = replace(
            incoming, update_id=bot_update_id(self._update_scope, incoming.update_id)
        )
        try:
            return await self._dialogs.handle(incoming, hromada_id=self.hromada_id)
        except StorageUnavailableError:
            if webhook:
                raise  # 503: Telegram redelivers, the resident sees the answer a bit later
            # Polling has already moved past this update: apologise instead of going silent.
            log.warning("update %s: database unavailable", incoming.update_id)
            with use_locale(initial_locale(incoming.language_hint, self._default_locale)):
                return [Reply(apology())]

    # ---- rendering ---------------------------------------------------------------------------

    async def _deliver(
        self,
        incoming: Incoming,
        chat_id: int,
        replies: list[Reply],
        edit_id: int | None,
        *,
        webhook: bool,
        note: bool = False,
    ) -> None:
        if not replies:
            return
        work = self._render(incoming, chat_id, replies, edit_id, skippable=not note)
        if not webhook:
            await work
            return
        # The update is committed: acknowledge Telegram now and talk to the resident after.
        task = asyncio.create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _render(
        self,
        incoming: Incoming,
        chat_id: int,
        replies: list[Reply],
        edit_id: int | None,
        *,
        skippable: bool = True,
    ) -> None:
        try:
            # A slow-down note is never skipped: it is the only word a flooder gets.
            async with self.pacer.lane(chat_id, skippable=skippable) as lane:
                if lane is None:  # newer updates from this chat wait: their screens win
                    return
                api = PacedApi(self._api, lane)
                # After a shared contact, the share-contact keyboard goes away.
                remove = incoming.kind is IncomingKind.CONTACT
                for index, reply in enumerate(replies):
                    outcome = None
                    if index == 0 and edit_id is not None:
                        outcome = await self._with_retry(
                            lane, lambda r=reply: edit_reply(api, chat_id, edit_id, r)
                        )
                    if outcome is None:
                        outcome = await self._with_retry(
                            lane, lambda r=reply: send(api, chat_id, r, remove_keyboard=remove)
                        )
                    if not isinstance(outcome, Sent):
                        # The rest would arrive out of context: stop here.
                        await self._not_delivered(incoming, outcome)
                        return
        except Exception:
            log.exception("update %s: rendering the reply failed", incoming.update_id)

    async def _not_delivered(self, incoming: Incoming, outcome: SendOutcome | None) -> None:
        if isinstance(outcome, Unreachable):
            log.info("update %s: %s is unreachable", incoming.update_id, incoming.identity)
            await self._mark_unreachable(incoming.identity)
            return
        log.warning(
            "update %s: reply to %s not delivered: %s",
            incoming.update_id,
            incoming.identity,
            redact(str(outcome)),
        )

    async def _with_retry(
        self, lane: Lane, call: Callable[[], Awaitable[SendOutcome | None]]
    ) -> SendOutcome | None:
        """Wait out a 429 (the chat's, or the bot's shared with bulk delivery) and try again,
        a bounded number of times."""
        waited = 0.0
        outcome: SendOutcome | None = None
        for _attempt in range(REPLY_RETRIES + 1):
            left = max(self.pause.remaining(), lane.paused_for())  # the lane waits its own
            if left > REPLY_MAX_WAIT_S - waited:
                return RateLimited(left)  # too long for a resident to wait: give up
            if left > 0:
                waited += left
                await self.pause.wait()
            outcome = await call()
            if not isinstance(outcome, RateLimited):
                return outcome
            if outcome.scope is Scope.BOT:  # not this chat's flood (PacedApi): the bot's
                self.pause.pause(outcome.retry_after)
        return outcome

    async def _mark_unreachable(self, identity: IdentityRef) -> None:
        try:
            with in_hromada(self.hromada_id):  # the resident of this bot's hromada
                async with self._app.uow_factory() as uow:
                    await citizens.mark_unreachable(uow, identity)
                    await uow.commit()
        except Exception:
            log.exception("could not mark %s unreachable", identity)

    async def _set_commands(self) -> None:
        """The command menu in each language, and in the default one for everybody else."""
        try:
            for language in (None, *SUPPORTED_LOCALES):
                with use_locale(language or self._default_locale):
                    await self.bot.set_my_commands(bot_commands(), language_code=language)
        except TelegramAPIError as error:
            log.warning("Telegram command menu not set: %s", redact(str(error)))

    @staticmethod
    async def _quietly(call: Coroutine[Any, Any, Any]) -> None:
        try:
            await call
        except TelegramAPIError as error:  # e.g. a query too old to answer: harmless
            log.debug("answerCallbackQuery failed: %s", redact(str(error)))


def build_channel(app: App, dialogs: Dialogs) -> TelegramChannel:
    """The single bot of SPILNO_TELEGRAM_TOKEN (the first hromada's), at /telegram/webhook."""
    settings = app.settings
    if settings.telegram_token is None:
        raise ValueError("SPILNO_TELEGRAM_TOKEN is not set")
    token = settings.telegram_token.get_secret_value()
    key = settings.webhook_secret.get_secret_value() if settings.webhook_secret else token
    channel = _channel(app, dialogs, token, derive_webhook_secret(key), WEBHOOK_PATH)
    app.messengers[PLATFORM] = channel.messenger
    return channel


def build_bot_channel(app: App, dialogs: Dialogs, spec: BotSpec) -> TelegramChannel:
    """One hromada's bot from the bots table (or the legacy one), at its webhook path; the
    caller registers its messenger (bot/channels.py)."""
    # The Telegram bot's own id (the token's public part) scopes its update ids.
    scope = spec.token.partition(":")[0] if spec.bot_id is not None else None
    return _channel(
        app,
        dialogs,
        spec.token,
        spec.webhook_secret,
        spec.webhook_path,
        spec.key.hromada_id,
        scope,
    )


def _channel(
    app: App,
    dialogs: Dialogs,
    token: str,
    webhook_secret: str,
    path: str,
    hromada_id: int = DEFAULT_HROMADA_ID,
    update_scope: str | None = None,
) -> TelegramChannel:
    settings = app.settings
    webhook_url = (
        settings.webhook_base_url.rstrip("/") + path if settings.webhook_base_url else None
    )
    return TelegramChannel(
        app,
        dialogs,
        token=token,
        api_url=settings.telegram_api_url,
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        hromada_id=hromada_id,
        update_scope=update_scope,
        default_locale=settings.default_locale,
        flood_gate=FloodGate.from_settings(settings),
        chat_interval_s=settings.telegram_chat_interval_s,
        limits=PlatformLimits.for_cap(
            settings.telegram_rate, per_chat_s=settings.telegram_chat_interval_s
        ),
    )
