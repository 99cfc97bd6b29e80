"""ViberChannel: the signed webhook (one small handler per event type) and webhook registration."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from aiohttp import web
from viberbot.api.viber_requests import (
    ViberConversationStartedRequest,
    ViberFailedRequest,
    ViberMessageRequest,
    ViberSubscribedRequest,
    ViberUnsubscribedRequest,
    create_request,
)

from bot.bot_spec import BotSpec
from bot.dialogs import Dialogs
from bot.edge import MalformedUpdateError, bot_update_id, handling_for
from bot.flood import ChatPacer, FloodGate
from bot.ui import Incoming, Reply
from bot.viber import inbound
from bot.viber.messenger import PLATFORM, ViberMessenger, ViberSender, platform_limits
from bot.viber.signature import SIGNATURE_HEADER, is_valid
from core.bootstrap import App
from core.citizens import service as citizens
from core.config import SettingsError
from core.delivery.messenger import Sent, Unreachable
from core.hromadas.scope import DEFAULT_HROMADA_ID, in_hromada
from core.kernel.redaction import register_secret
from core.kernel.unit_of_work import StorageUnavailableError, UnitOfWorkFactory

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/viber/webhook"
# `message` and `webhook` callbacks always arrive; these are the optional ones we act on or log.
EVENT_TYPES = ("delivered", "seen", "failed", "subscribed", "unsubscribed", "conversation_started")

EventHandler = Callable[[Any, dict[str, Any]], Awaitable[web.Response]]


class ViberConfigError(SettingsError):
    pass


class ViberChannel:
    name = PLATFORM

    # The hromada whose bot this channel is: its updates are handled in that hromada's scope
    # (bot/dialogs/engine.py). One channel per hromada's bot sets it; 1 is the first hromada.
    hromada_id: int = DEFAULT_HROMADA_ID

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        dialogs: Dialogs,
        messenger: ViberMessenger,
        *,
        token: str,
        webhook_url: str,
        flood_gate: FloodGate | None = None,
        chat_interval_s: float = 0.0,
        default_locale: str = "uk",
        hromada_id: int = DEFAULT_HROMADA_ID,
        update_scope: str | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._update_scope = update_scope  # bot/edge.py: bot_update_id
        # Every callback this bot receives is handled in its hromada (bot/edge.py).
        self.hromada_id = hromada_id
        self.flood_gate = FloodGate(0, 1.0) if flood_gate is None else flood_gate  # off
        self.pacer = ChatPacer(chat_interval_s)
        self._default_locale = default_locale
        self._dialogs = dialogs
        self.messenger = messenger
        self._token = token
        self.webhook_url = webhook_url
        self._handlers: dict[str, EventHandler] = {
            "webhook": self._on_webhook_check,
            "conversation_started": self._on_conversation_started,
            "message": self._on_message,
            "subscribed": self._on_subscribed,
            "unsubscribed": self._on_unsubscribed,
            "delivered": self._on_receipt,
            "seen": self._on_receipt,
            "failed": self._on_failed,
        }

    def web_routes(self) -> list[web.RouteDef]:
        return [web.post(WEBHOOK_PATH, self.handle_webhook)]

    async def start(self) -> None:
        register_secret(self._token)
        events = await self.messenger.set_webhook(self.webhook_url, EVENT_TYPES)
        log.info("viber webhook set to %s (events: %s)", self.webhook_url, ", ".join(events))

    async def stop(self) -> None:
        # Viber keeps the webhook registered; only our HTTP connections are released.
        await self.messenger.close()

    # -- the webhook -----------------------------------------------------------------------

    async def handle_webhook(self, request: web.Request) -> web.Response:
        with handling_for(self.hromada_id):
            return await self._handle_webhook(request)

    async def _handle_webhook(self, request: web.Request) -> web.Response:
        body = await request.read()
        # Verified before anything is parsed or stored: an unsigned body is a stranger's.
        if not is_valid(self._token, body, request.headers.get(SIGNATURE_HEADER)):
            log.warning("viber callback refused: missing or wrong signature")
            return web.Response(status=403, text="bad signature")
        try:
            raw = json.loads(body)
            event = raw["event"]
        except (ValueError, KeyError, TypeError, RecursionError):
            # RecursionError: JSON nested thousands of levels deep.
            log.warning("viber callback refused: not a JSON event")
            return web.Response(status=400, text="not a viber event")
        if not isinstance(event, str):
            log.warning("viber callback refused: its event is not a string")
            return web.Response(status=400, text="not a viber event")
        handler = self._handlers.get(event)
        if handler is None:
            log.info("viber event %.40r ignored: not one we act on", event)
            return web.Response()
        try:
            parsed = create_request(raw)
        except Exception as error:  # viberbot raises bare Exception for unknown shapes
            parsed = None
            log.info("viber %s callback not parsed by viberbot: %s", event, error)
        try:
            return await handler(parsed, raw)
        except MalformedUpdateError as error:
            # Signed but impossible: answering 200 stops Viber from retrying it.
            log.warning("viber %s callback ignored: %s", event, error)
            return web.Response()
        except StorageUnavailableError as error:
            # Viber retries a callback that fails; the dedup makes the retry safe.
            log.warning("viber %s callback deferred, database unavailable: %s", event, error)
            return web.Response(status=503, text="try again later")

    async def _on_webhook_check(self, _parsed: Any, _raw: dict[str, Any]) -> web.Response:
        return web.Response()

    async def _on_conversation_started(
        self, parsed: ViberConversationStartedRequest | None, _raw: dict[str, Any]
    ) -> web.Response:
        if parsed is None:
            return web.Response()
        replies = await self._converse(inbound.started_incoming(parsed))
        if not replies:
            return web.Response()
        # The welcome travels in the HTTP answer: Viber delivers it even before a subscription.
        return web.json_response(self.messenger.welcome_body(replies[0]))

    async def _on_message(
        self, parsed: ViberMessageRequest | None, raw: dict[str, Any]
    ) -> web.Response:
        incoming = (
            inbound.message_incoming(parsed)
            if parsed is not None
            else inbound.unsupported_incoming(raw)
        )
        held = self.flood_gate.hold(incoming, self._default_locale)  # None: not flooding
        replies = held if held is not None else await self._converse(incoming)
        await self._deliver(incoming, replies, skippable=held is None)
        return web.Response()

    async def _on_subscribed(
        self, parsed: ViberSubscribedRequest | None, _raw: dict[str, Any]
    ) -> web.Response:
        if parsed is not None:
            await self._set_reachable(parsed.user.id, reachable=True)
        return web.Response()

    async def _on_unsubscribed(
        self, parsed: ViberUnsubscribedRequest | None, _raw: dict[str, Any]
    ) -> web.Response:
        if parsed is not None:
            await self._set_reachable(parsed.user_id, reachable=False)
        return web.Response()

    async def _on_receipt(self, _parsed: Any, raw: dict[str, Any]) -> web.Response:
        log.debug("viber %s receipt for message %s", raw.get("event"), raw.get("message_token"))
        return web.Response()

    async def _on_failed(
        self, parsed: ViberFailedRequest | None, _raw: dict[str, Any]
    ) -> web.Response:
        if parsed is not None:
            log.info(
                "viber could not deliver message %.40r: %.200r", parsed.message_token, parsed.desc
            )
        return web.Response()

    # -- shared helpers --------------------------------------------------------------------

    async def _converse(self, incoming: Incoming) -> list[Reply]:
        scoped = replace(incoming, update_id=bot_update_id(self._update_scope, incoming.update_id))
        return await self._dialogs.handle(scoped, hromada_id=self.hromada_id)

    async def _deliver(
        self, incoming: Incoming, replies: list[Reply], *, skippable: bool = True
    ) -> None:
        receiver = incoming.identity.external_id
        if not replies:
            return
        # The chat's lane: replies in order; None when newer ones wait. Not paced by default:
        # Viber documents no per-chat limit, and the callback waits while we send.
        async with self.pacer.lane(receiver, skippable=skippable) as lane:
            for reply in replies if lane is not None else ():
                outcome = await lane.run(lambda r=reply: self.messenger.send(receiver, r))
                if isinstance(outcome, Unreachable):
                    await self._set_reachable(receiver, reachable=False)
                    return
                if not isinstance(outcome, Sent):
                    # The rest would arrive out of context; the resident can simply press again.
                    log.warning(
                        "viber reply to update %s not sent: %s", incoming.update_id, outcome
                    )
                    return

    async def _set_reachable(self, user_id: object, *, reachable: bool) -> None:
        ref = inbound.identity(user_id)
        with in_hromada(self.hromada_id):  # the resident of this bot's hromada
            async with self._uow_factory() as uow:
                if reachable:
                    changed = await citizens.mark_reachable(uow, ref)
                else:
                    changed = await citizens.mark_unreachable(uow, ref)
                await uow.commit()
        if changed:
            log.info(
                "viber identity %s is now %s", ref, "reachable" if reachable else "unreachable"
            )


def build_channel(app: App, dialogs: Dialogs) -> ViberChannel:
    """The single bot of SPILNO_VIBER_TOKEN (the first hromada's), at /viber/webhook."""
    settings = app.settings
    if settings.viber_token is None:
        raise ViberConfigError("invalid setting SPILNO_VIBER_TOKEN: not set")
    channel = _channel(app, dialogs, settings.viber_token.get_secret_value(), WEBHOOK_PATH)
    app.messengers[PLATFORM] = channel.messenger
    return channel


def build_bot_channel(app: App, dialogs: Dialogs, spec: BotSpec) -> ViberChannel:
    """One hromada's bot at its webhook path; the caller registers its messenger."""
    scope = f"b{spec.bot_id}" if spec.bot_id is not None else None
    return _channel(app, dialogs, spec.token, spec.webhook_path, spec.key.hromada_id, scope)


def _channel(
    app: App,
    dialogs: Dialogs,
    token: str,
    path: str,
    hromada_id: int = DEFAULT_HROMADA_ID,
    update_scope: str | None = None,
) -> ViberChannel:
    settings = app.settings
    if not settings.webhook_base_url:
        raise ViberConfigError(
            "invalid setting SPILNO_WEBHOOK_BASE_URL: Viber delivers messages only to a webhook, "
            "so set it to this server's public HTTPS address (e.g. https://bot.example.org)"
        )
    register_secret(token)  # before anything can log it
    messenger = ViberMessenger(
        token=token,
        api_url=settings.viber_api_url,
        sender=ViberSender(settings.viber_bot_name, settings.viber_avatar_url),
        limits=platform_limits(settings.viber_rate),
    )
    return ViberChannel(
        app.uow_factory,
        dialogs,
        messenger,
        token=token,
        webhook_url=settings.webhook_base_url.rstrip("/") + path,
        flood_gate=FloodGate.from_settings(settings),
        default_locale=settings.default_locale,
        hromada_id=hromada_id,
        update_scope=update_scope,
    )
