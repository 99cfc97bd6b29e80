"""The dialog entry point: one Incoming in, Replies out, all inside one unit of work."""

from __future__ import annotations

import logging
from typing import Any

from bot.apology import apology
from bot.dialogs.eligibility import BACK_TO
from bot.dialogs.errors import explain
from bot.dialogs.router import route as default_route
from bot.dialogs.router import stale_button
from bot.dialogs.turn import Handler, Turn
from bot.ui import Incoming, Reply, StaleButtonError
from core.citizens import service as citizens
from core.citizens import updates
from core.citizens.model import IdentityRef, initial_locale
from core.hromadas.current import current_profile
from core.hromadas.scope import DEFAULT_HROMADA_ID, in_hromada
from core.kernel import metrics
from core.kernel.errors import SpilnoError
from core.kernel.i18n import use_locale
from core.kernel.unit_of_work import (
    Clock,
    ConflictError,
    StorageUnavailableError,
    UnitOfWorkFactory,
)

log = logging.getLogger(__name__)

# A lost uniqueness race (two first messages from a new resident at once) is retried this often.
MAX_ATTEMPTS = 3
# Dialog-state keys that outlive the screen that set them: the idea draft lives until the resident
# submits or discards it (`Turn.end`), whatever they open meanwhile (/start, menus, a restart);
# the campaign a resident left to fix their eligibility lives until they go back to it, and a
# link between two messengers waiting for "Yes, it is me" lives the same way (identity.py).
LASTING_KEYS = ("draft", BACK_TO, "link")


class Dialogs:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        *,
        clock: Clock,
        default_locale: str = "uk",
        route: Handler | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._default_locale = default_locale
        self._route = route or default_route

    async def handle(
        self, incoming: Incoming, *, hromada_id: int = DEFAULT_HROMADA_ID
    ) -> list[Reply]:
        """Process one update exactly once, in the hromada of the bot that received it (its
        channel passes it: one channel per hromada's bot). Storage outages propagate (the
        platform retries)."""
        with in_hromada(hromada_id):
            return await self._handle(incoming)

    async def _handle(self, incoming: Incoming) -> list[Reply]:
        platform = incoming.identity.platform
        metrics.UPDATES_RECEIVED.labels(platform).inc()
        with metrics.HANDLER_SECONDS.labels(platform).time():
            try:
                replies, ok = await self._handle_with_retries(incoming)
            except StorageUnavailableError:
                metrics.UPDATES_FAILED.labels(platform).inc()
                raise
        (metrics.UPDATES_PROCESSED if ok else metrics.UPDATES_FAILED).labels(platform).inc()
        return replies

    async def locale_for(
        self, identity: IdentityRef, *, hromada_id: int = DEFAULT_HROMADA_ID
    ) -> str:
        """The language a resident reads (for adapters that answer at the edge)."""
        with in_hromada(hromada_id):
            async with self._uow_factory() as uow:
                found = await citizens.find_citizen(uow, identity)
        if found is None:
            return self._hromada_locale()
        return found[0].effective_locale(self._hromada_locale())

    def _hromada_locale(self) -> str:
        """The hromada's default language (its profile), else the installation's. Read after
        a unit of work has opened, which loads the profile."""
        return current_profile().settings.default_locale or self._default_locale

    async def _handle_with_retries(self, incoming: Incoming) -> tuple[list[Reply], bool]:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                return await self._handle_once(incoming), True
            except ConflictError:
                if attempt == MAX_ATTEMPTS:
                    log.exception("update %s lost %d races", incoming.update_id, attempt)
                    return [self._apology(incoming)], False
            except StorageUnavailableError:
                raise
            except Exception:
                log.exception(
                    "dialog failed for update %s from %s", incoming.update_id, incoming.identity
                )
                return [self._apology(incoming)], False
        raise AssertionError("unreachable")

    async def _handle_once(self, incoming: Incoming) -> list[Reply]:
        now = self._clock()
        async with self._uow_factory() as uow:
            if incoming.update_id is None:
                found = await citizens.find_citizen(uow, incoming.identity)
            else:
                first, found = await updates.claim_update_from(
                    uow, incoming.identity, incoming.update_id, now
                )
                if not first:
                    log.info("update %s already processed; ignored", incoming.update_id)
                    return []
            # Any message from the resident re-opts them in after a block or unsubscribe.
            citizen, is_new = await citizens.register_unless_found(
                uow, incoming.identity, found, now, reopt_in=True
            )
            state_before = dict(citizen.dialog_state)
            locale_before = citizen.locale
            turn = Turn(incoming, citizen, uow, now, is_new, self._hromada_locale())
            with use_locale(turn.locale):
                try:
                    replies = await self._route(turn)
                except StaleButtonError as error:
                    # An old keyboard or look-alike text: nothing to do but point to the menu.
                    await uow.rollback()
                    turn.citizen = citizen
                    citizen.dialog_state = state_before  # still where they were
                    log.info("update %s: stale button: %s", incoming.update_id, error)
                    return stale_button(turn)
                except SpilnoError as error:
                    # A refused action leaves nothing half-written; the resident gets the reason.
                    # The update is not recorded either: a redelivery only explains again.
                    await uow.rollback()
                    # Nothing of this turn is kept: the resident is still where they were.
                    turn.citizen = citizen
                    citizen.dialog_state = state_before
                    return [explain(error, turn)]
            if turn.citizen is citizen:  # a merge carries the draft itself (core/citizens/merge.py)
                _carry_lasting(state_before, turn)
            # Linking or unlinking a messenger puts another citizen on the turn: save that one.
            if (
                turn.citizen is not citizen
                or citizen.dialog_state != state_before
                or citizen.locale != locale_before
            ):
                await citizens.save_dialog_state(uow, turn.citizen)
            await uow.commit()
            return replies

    def _apology(self, incoming: Incoming) -> Reply:
        with use_locale(initial_locale(incoming.language_hint, self._default_locale)):
            return Reply(apology())


def _carry_lasting(before: dict[str, Any], turn: Turn) -> None:
    """Screens replace the dialog state wholesale; lasting keys survive unless a handler ended them."""
    state = turn.citizen.dialog_state
    for key in LASTING_KEYS:
        if key in turn.ended:
            state.pop(key, None)
        elif key not in state and key in before:
            state[key] = before[key]
