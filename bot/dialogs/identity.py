"""Settings → my phone and my messengers: verify by sharing one's own number, link a second
messenger (by the same number or a one-time code) after a confirmation, unlink this one.

Screens (dialog_state["screen"]): `identity:verify`, `identity:merge` (the number belongs to
another account: confirm), `identity:code` (typing a code), `identity:link` (the code matched:
confirm), `identity:unlink`. What waits for a confirmation is kept under the lasting key
`link` (bot/dialogs/engine.py), so a vote or a menu opened meanwhile does not lose it:
`by` says how it came — `phone` (a proven number: "Is that account yours too?"), `phone_code`
(a claimed number another account holds: only its link code links them), `code`.

A contact counts as far as the platform proves it is the sender's own (`PhoneProof`): a
claimed one (Viber: the share-phone answer and an address-book contact look alike) only on
the verify screen, where the resident has just pressed “📱 Share my phone number”.
A merge or an unlink changes which citizen this messenger is: the handler puts the new one on
the turn, and the engine saves that one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.dialogs.eligibility import back_to_campaign_rows
from bot.dialogs.feature import Feature
from bot.dialogs.nav import Settings, back_to_menu_row
from bot.dialogs.turn import Route, Turn, on
from bot.ui import Action, Button, Reply, ShareContact, StaleButtonError
from core.campaigns import service as campaigns
from core.citizens import linking, verification
from core.citizens.merge import MergeOutcome
from core.citizens.model import LinkingError, PhoneProof
from core.kernel.errors import NotFoundError, ValidationError
from core.kernel.i18n import _, format_datetime

SCREEN_PREFIX = "identity"
PENDING = "link"  # the lasting dialog-state key of a link waiting for "Yes, it is me"
VERIFY_SCREEN = "identity:verify"
MERGE_SCREEN = "identity:merge"
CODE_SCREEN = "identity:code"
LINK_SCREEN = "identity:link"
UNLINK_SCREEN = "identity:unlink"


@dataclass(frozen=True, slots=True)
class Verify(Action):
    PREFIX = "verify"
    IGNORES_EXTRA = True


@dataclass(frozen=True, slots=True)
class ShowLinkCode(Action):
    PREFIX = "linkcode"
    IGNORES_EXTRA = True


@dataclass(frozen=True, slots=True)
class EnterLinkCode(Action):
    PREFIX = "linkenter"
    IGNORES_EXTRA = True


@dataclass(frozen=True, slots=True)
class ConfirmLink(Action):
    """Yes, the other account is me: merge (what is pending lives in the dialog state)."""

    PREFIX = "linkyes"
    IGNORES_EXTRA = True


@dataclass(frozen=True, slots=True)
class CancelLink(Action):
    """No, the other account is not me: forget what waited for a confirmation."""

    PREFIX = "linkno"
    IGNORES_EXTRA = True


@dataclass(frozen=True, slots=True)
class Unlink(Action):
    PREFIX = "unlink"
    IGNORES_EXTRA = True


@dataclass(frozen=True, slots=True)
class ConfirmUnlink(Action):
    PREFIX = "unlinkyes"
    IGNORES_EXTRA = True


PLATFORM_NAMES = {"telegram": "Telegram", "viber": "Viber", "console": "console"}


def _platforms(names: tuple[str, ...]) -> str:
    return ", ".join(PLATFORM_NAMES.get(name, name) for name in names) or _("another messenger")


def _settings_row() -> tuple[Button, ...]:
    return (Button(_("« Settings"), Settings().pack()),)


def _what_it_allows() -> str:
    return _(
        "A confirmed number lets you take part where the city asks for verified residents, "
        "and makes your vote count once even if you use Spilno in both Telegram and Viber."
    )


def _privacy() -> str:
    return _(
        "Spilno keeps only a coded fingerprint of your number and its last two digits; "
        "officials never see the number."
    )


async def settings_rows(turn: Turn) -> tuple[tuple[Button, ...], ...]:
    """The Settings screen's rows about the phone and the messengers."""
    citizen = turn.citizen
    if citizen.verified and citizen.phone_masked:
        phone = Button(
            _("✅ My phone: {phone}").format(phone=citizen.phone_masked), Verify().pack()
        )
    else:
        phone = Button(_("📱 Confirm my phone number"), Verify().pack())
    rows: list[tuple[Button, ...]] = [
        (phone,),
        (Button(_("🔗 Link another messenger"), ShowLinkCode().pack()),),
        (Button(_("🔢 I have a link code"), EnterLinkCode().pack()),),
    ]
    identities = (await turn.uow.citizens.identities_of([citizen.id])).get(citizen.id, [])
    if len(identities) > 1:
        rows.append((Button(_("✂️ Unlink this messenger"), Unlink().pack()),))
    return tuple(rows)


# ---- verify by phone ---------------------------------------------------------------------------


async def verify_screen(turn: Turn, _action: Verify | None = None) -> list[Reply]:
    turn.citizen.dialog_state = {"screen": VERIFY_SCREEN}
    return [_verify_reply(turn)]


def _verify_reply(turn: Turn, notice: str | None = None) -> Reply:
    citizen = turn.citizen
    share = ShareContact(_("📱 Share my phone number"), Verify().pack())
    if citizen.verified and citizen.phone_masked:
        text = (
            _("✅ Your phone number {phone} is confirmed.").format(phone=citizen.phone_masked)
            + "\n\n"
            + _what_it_allows()
            + "\n\n"
            + _("Changed your number? Share the new one with the button below.")
        )
        share = ShareContact(_("📱 Share my new number"), Verify().pack())
    else:
        text = (
            _("Confirm your phone number.")
            + "\n\n"
            + _what_it_allows()
            + " "
            + _privacy()
            + "\n\n"
            + _("Press “📱 Share my phone number” below: only your own number counts.")
        )
    if notice:
        text = notice + "\n\n" + text
    return Reply(text, buttons=((share,), _settings_row(), back_to_menu_row()))


async def contact(turn: Turn) -> list[Reply]:
    """A shared contact: the resident's own number verifies them; anything else is refused."""
    incoming = turn.incoming
    proof = incoming.contact_proof
    if proof is PhoneProof.CLAIMED and turn.citizen.dialog_state.get("screen") != VERIFY_SCREEN:
        # Any contact from the address book looks like this: only the one sent with the
        # share button, right after pressing it, stands for the resident's own number.
        return [_contact_out_of_place()]
    back = await back_to_campaign_rows(turn)  # read before the state is replaced
    turn.citizen.dialog_state = {"screen": VERIFY_SCREEN}
    if proof is PhoneProof.FOREIGN or not incoming.phone:
        notice = _(
            "That is not your own contact. Please use the button “📱 Share my phone number”: "
            "a forwarded or typed number cannot confirm who you are."
        )
        return [_verify_reply(turn, notice)]
    outcome = await verification.verify_phone(
        turn.uow, turn.citizen, incoming.phone, turn.now, proof=proof
    )
    if isinstance(outcome, verification.ProveWithCode):
        return _prove_with_code(turn, outcome)
    if isinstance(outcome, verification.SamePersonElsewhere):
        return _same_person(turn, outcome)
    turn.end(PENDING)  # a number of one's own now: nothing from before waits to be linked
    return _confirmed(outcome.masked, back)


def _confirmed(masked: str, back: list[tuple[Button, ...]]) -> list[Reply]:
    return [
        Reply(_("✅ Thank you! Your phone number {phone} is confirmed.").format(phone=masked)),
        Reply(
            _what_it_allows(),
            # Came from a campaign that asked for it: the way back to that campaign first.
            buttons=(*back, _settings_row(), back_to_menu_row()),
        ),
    ]


def _contact_out_of_place() -> Reply:
    return Reply(
        _(
            "Thank you, but a contact sent like this cannot confirm your phone number. "
            "To confirm it, press “📱 Confirm my phone number”, then the button "
            "“📱 Share my phone number”."
        ),
        buttons=(
            (Button(_("📱 Confirm my phone number"), Verify().pack()),),
            back_to_menu_row(),
        ),
    )


def _already_confirmed(masked: str, platforms: tuple[str, ...]) -> Reply:
    return Reply(
        _("This number, {phone}, is already confirmed in Spilno from {where}.").format(
            phone=masked, where=_platforms(platforms)
        )
    )


def _prove_with_code(turn: Turn, outcome: verification.ProveWithCode) -> list[Reply]:
    """A claimed number another account holds: prove both are yours with that account's code."""
    turn.citizen.dialog_state = {
        "screen": CODE_SCREEN,
        PENDING: {"by": "phone_code", "other": outcome.other_citizen_id},
    }
    where = _platforms(outcome.other_platforms)
    text = (
        _(
            "To make sure both accounts are yours, link them with a code: open Spilno in "
            "{where} → Settings → “🔗 Link another messenger”, then type the 6-digit code here."
        ).format(where=where)
        + "\n\n"
        + _("Until then nothing changes: this account stays as it is.")
    )
    return [_already_confirmed(outcome.masked, outcome.other_platforms), _enter_code_reply(text)]


def _same_person(turn: Turn, outcome: verification.SamePersonElsewhere) -> list[Reply]:
    """A proven number another account holds: is that account yours too?"""
    turn.citizen.dialog_state = {
        "screen": MERGE_SCREEN,
        PENDING: {
            "by": "phone",
            "proof": PhoneProof.OWN.value,
            "other": outcome.other_citizen_id,
            "hash": outcome.phone_hash,
            "masked": outcome.masked,
            # That account only claimed the number: "No" gives it to the resident.
            "reassign": outcome.unproven_holder,
        },
    }
    if outcome.unproven_holder:
        if_not = _(
            "If it is not yours, press “No”: the number is confirmed for you, and that "
            "account will have to confirm its own number again."
        )
    else:
        if_not = _("If it is not yours, press “No”: nothing changes.")
    return [
        _already_confirmed(outcome.masked, outcome.other_platforms),
        _confirm_reply(
            _("Is that account yours too?") + "\n\n" + _same_person_explained() + "\n\n" + if_not
        ),
    ]


def _same_person_explained() -> str:
    return _(
        "If you confirm, the two become one account: your votes, ideas and settings are kept "
        "together, and where you voted from both, the vote cast first counts."
    )


def _confirm_reply(text: str) -> Reply:
    return Reply(
        text,
        buttons=(
            (Button(_("✅ Yes, it is me"), ConfirmLink().pack()),),
            (Button(_("✖️ No"), CancelLink().pack()),),
            back_to_menu_row(),
        ),
    )


# ---- link codes --------------------------------------------------------------------------------


async def link_code_screen(turn: Turn, _action: ShowLinkCode | None = None) -> list[Reply]:
    turn.citizen.dialog_state = {"screen": "settings"}
    code = await linking.issue_code(turn.uow, turn.citizen, turn.now)
    text = (
        _("Your link code: {code}").format(code=code.code)
        + "\n\n"
        + _(
            "Open Spilno in your other messenger (Telegram or Viber), go to Settings → "
            "“🔢 I have a link code” and type these 6 digits there. The code works once, "
            "until {time}. Do not give it to anyone."
        ).format(time=format_datetime(code.expires_at))
    )
    return [Reply(text, buttons=(_settings_row(), back_to_menu_row()))]


async def enter_code_screen(turn: Turn, _action: EnterLinkCode | None = None) -> list[Reply]:
    turn.citizen.dialog_state = {"screen": CODE_SCREEN}
    return [_enter_code_reply(_("Type the 6-digit code shown in your other messenger."))]


def _enter_code_reply(text: str) -> Reply:
    return Reply(text, buttons=(_settings_row(), back_to_menu_row()))


async def code_input(turn: Turn) -> list[Reply]:
    """Text typed on the code screen: the code from the other messenger."""
    typed = turn.incoming.text or ""
    if not linking.looks_like_code(typed):
        return [_enter_code_reply(_("Please type the 6 digits of the code, nothing else."))]
    outcome = await linking.check_code(turn.uow, turn.citizen, typed, turn.now)
    pending = turn.citizen.dialog_state.get(PENDING)
    if isinstance(outcome, linking.WrongCode):
        # Stays on this screen, and the wrong try is committed (it counts towards the limit).
        text = _(
            "That code is not right, or it has expired. Check it in your other messenger "
            "(or get a new one there) and type it again."
        )
        if outcome.tries_left <= 2:
            text += "\n" + _("Tries left this hour: {n}.").format(n=outcome.tries_left)
        return [_enter_code_reply(text)]
    if (
        isinstance(pending, dict)
        and pending.get("by") == "phone_code"
        and pending.get("other") == outcome.other_citizen_id
    ):
        # The code of the very account that holds the number the resident shared: both are
        # proven theirs, and linking them is what they came for.
        turn.end(PENDING)
        merged = await linking.link_with_code(
            turn.uow,
            turn.citizen,
            outcome.other_citizen_id,
            outcome.code_hash,
            actor=str(turn.incoming.identity),
            now=turn.now,
        )
        return await _linked(turn, merged)
    turn.citizen.dialog_state = {
        "screen": LINK_SCREEN,
        PENDING: {"by": "code", "other": outcome.other_citizen_id, "hash": outcome.code_hash},
    }
    where = _platforms(outcome.other_platforms)
    return [
        _confirm_reply(
            _("This code is from your account in {where}. Link it with this one?").format(
                where=where
            )
            + "\n\n"
            + _same_person_explained()
        )
    ]


# ---- confirming a link -------------------------------------------------------------------------


async def confirm_link(turn: Turn, _action: ConfirmLink) -> list[Reply]:
    pending = turn.citizen.dialog_state.get(PENDING)
    if not isinstance(pending, dict):
        raise StaleButtonError(turn.incoming.payload, "no link waits for a confirmation")
    by, other, pending_hash = pending.get("by"), pending.get("other"), pending.get("hash")
    if by not in ("phone", "code") or not isinstance(other, int):
        raise StaleButtonError(turn.incoming.payload, "no link waits for a confirmation")
    if by == "phone" and pending.get("proof") != PhoneProof.OWN.value:
        # Only a proven number links on "Yes"; a claimed one needs the other account's code.
        raise StaleButtonError(turn.incoming.payload, "an unproven number waits for a code")
    if not isinstance(pending_hash, str):
        raise StaleButtonError(turn.incoming.payload, "no link waits for a confirmation")
    turn.end(PENDING)
    actor = str(turn.incoming.identity)
    if by == "phone":
        masked = str(pending.get("masked", ""))
        outcome = await verification.confirm_same_person(
            turn.uow, turn.citizen, other, pending_hash, masked, actor=actor, now=turn.now
        )
        if outcome is None:  # the other account let the number go meanwhile
            back = await back_to_campaign_rows(turn)  # read before the state is replaced
            turn.citizen.dialog_state = {"screen": VERIFY_SCREEN}
            return _confirmed(masked, back)
    else:
        outcome = await linking.link_with_code(
            turn.uow, turn.citizen, other, pending_hash, actor=actor, now=turn.now
        )
    return await _linked(turn, outcome)


async def cancel_link(turn: Turn, _action: CancelLink) -> list[Reply]:
    pending = turn.citizen.dialog_state.get(PENDING)
    turn.end(PENDING)
    if (
        isinstance(pending, dict)
        and pending.get("by") == "phone"
        and pending.get("proof") == PhoneProof.OWN.value
        and pending.get("reassign") is True
        and isinstance(pending.get("other"), int)
        and isinstance(pending.get("hash"), str)
    ):
        # Not theirs, and that account only claimed the number: it is the resident's now.
        masked = str(pending.get("masked", ""))
        await verification.reassign_phone(
            turn.uow,
            turn.citizen,
            pending["other"],
            pending["hash"],
            masked,
            actor=str(turn.incoming.identity),
            now=turn.now,
        )
        back = await back_to_campaign_rows(turn)  # read before the state is replaced
        turn.citizen.dialog_state = {"screen": VERIFY_SCREEN}
        replies = _confirmed(masked, back)
        told = _("The other account no longer holds this number; it has been told so.")
        return [Reply(replies[0].text + "\n" + told), *replies[1:]]
    turn.citizen.dialog_state = {"screen": "settings"}
    return [
        Reply(
            _("Nothing was linked. The other account stays separate."),
            buttons=(_settings_row(), back_to_menu_row()),
        )
    ]


async def _linked(turn: Turn, outcome: MergeOutcome) -> list[Reply]:
    turn.citizen = outcome.survivor  # the engine saves the citizen this messenger now is
    turn.citizen.dialog_state = {**turn.citizen.dialog_state, "screen": "settings"}
    lines = [_("✅ Done: your accounts are now one. Whichever messenger you use, it is you.")]
    for voided in outcome.report.voided_ballots:
        try:
            title = (await campaigns.get_campaign(turn.uow, voided.campaign_id)).title
        except NotFoundError:
            continue
        lines.append(
            _(
                "You had voted in “{title}” from both accounts: the vote cast first "
                "({date}) counts, the other one was set aside."
            ).format(title=title, date=format_datetime(voided.standing_cast_at))
        )
    return [Reply("\n\n".join(lines), buttons=(_settings_row(), back_to_menu_row()))]


# ---- unlinking ---------------------------------------------------------------------------------


async def unlink_screen(turn: Turn, _action: Unlink | None = None) -> list[Reply]:
    turn.citizen.dialog_state = {"screen": UNLINK_SCREEN}
    text = _(
        "Unlink this messenger? From now on it will be a separate, unconfirmed account. "
        "What you did before stays with your other messenger."
    )
    return [
        Reply(
            text,
            buttons=(
                (Button(_("✂️ Yes, unlink"), ConfirmUnlink().pack()),),
                _settings_row(),
                back_to_menu_row(),
            ),
        )
    ]


async def confirm_unlink(turn: Turn, _action: ConfirmUnlink) -> list[Reply]:
    if turn.citizen.dialog_state.get("screen") != UNLINK_SCREEN:
        raise StaleButtonError(turn.incoming.payload, "no unlink waits for a confirmation")
    fresh = await linking.unlink(turn.uow, turn.citizen, turn.incoming.identity, now=turn.now)
    fresh.dialog_state = {"screen": "settings"}
    turn.citizen = fresh
    return [
        Reply(
            _("Done: this messenger is now a separate account."),
            buttons=(_settings_row(), back_to_menu_row()),
        )
    ]


ROUTES: tuple[Route, ...] = (
    on(Verify, verify_screen),
    on(ShowLinkCode, link_code_screen),
    on(EnterLinkCode, enter_code_screen),
    on(ConfirmLink, confirm_link),
    on(CancelLink, cancel_link),
    on(Unlink, unlink_screen),
    on(ConfirmUnlink, confirm_unlink),
)


def _way_back(screen: str, state: Mapping[str, Any]) -> tuple[Button | None, Button | None] | None:
    settings = Button(_("« Settings"), Settings().pack())
    if screen == VERIFY_SCREEN:
        return Button(_("📱 Confirm my phone number"), Verify().pack()), settings
    if screen == CODE_SCREEN:
        return Button(_("🔢 Type the code again"), EnterLinkCode().pack()), settings
    if screen.startswith(SCREEN_PREFIX):
        return None, settings
    return None


FEATURE = Feature(
    routes=ROUTES,
    input_screens={CODE_SCREEN: code_input},
    error_texts={
        (ValidationError, "phone_not_own"): lambda p: _(
            "That is not your own contact. Please use the button “📱 Share my phone number”: "
            "a forwarded or typed number cannot confirm who you are."
        ),
        (ValidationError, "phone_invalid"): lambda p: _(
            "That does not look like a phone number we can confirm. Please share your own "
            "number with the button."
        ),
        (ValidationError, "link_code_format"): lambda p: _(
            "Please type the 6 digits of the code, nothing else."
        ),
        (LinkingError, "too_many_tries"): lambda p: _(
            "Too many wrong codes. For your safety, please wait an hour and try again with a new code."
        ),
        (LinkingError, "own_code"): lambda p: _(
            "This is the code of this very messenger. Type it in your other messenger instead."
        ),
        (LinkingError, "code_expired"): lambda p: _(
            "This code has expired or was already used. Get a new one in your other messenger: "
            "Settings → “🔗 Link another messenger”."
        ),
        (LinkingError, "already_linked"): lambda p: _("These accounts are already linked."),
        (LinkingError, "link_gone"): lambda p: _(
            "Something changed meanwhile, so nothing was linked. Please start again from Settings."
        ),
        (LinkingError, "only_messenger"): lambda p: _(
            "This is your only messenger linked to Spilno, so there is nothing to unlink."
        ),
    },
    way_back=_way_back,
)
