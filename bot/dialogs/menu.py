"""Start, language, main menu, help, settings, and polite answers to unexpected input."""

from __future__ import annotations

from dataclasses import dataclass

from bot.dialogs import identity
from bot.dialogs.eligibility import back_to_campaign_rows
from bot.dialogs.features import FEATURES
from bot.dialogs.nav import (
    FOLLOW_DISTRICTS,
    FOLLOW_TOPICS,
    HELP,
    HOME_DISTRICT,
    LANGUAGE,
    NOTIFICATIONS,
    SET_LANGUAGE,
    SETTINGS,
    START,
    Help,
    Language,
    Notifications,
    OpenMenu,
    SetLanguage,
    Settings,
    Start,
    back_to_menu_row,
)
from bot.dialogs.privacy import FORGET_ME, MY_DATA
from bot.dialogs.receipts import MY_RECEIPTS
from bot.dialogs.refusals import refusal, way_back
from bot.dialogs.turn import Route, Turn, on
from bot.ui import Button, Reply, encode_payload
from core.citizens import service as citizens
from core.citizens.model import SUPPORTED_LOCALES, NotificationMode
from core.hromadas.current import current_profile
from core.hromadas.taxonomy import WHOLE_CITY, district_name, is_known_district
from core.kernel.i18n import _, current_locale, use_locale

# Each language is named in itself, so these labels are the same whatever the current locale.
LANGUAGE_NAMES = {"uk": "Українська", "en": "English"}


def _language_reply() -> Reply:
    return Reply(
        "Оберіть мову / Choose your language",
        buttons=(
            tuple(
                Button(LANGUAGE_NAMES[code], encode_payload(SET_LANGUAGE, code))
                for code in SUPPORTED_LOCALES
            ),
        ),
    )


async def start(turn: Turn, _action: Start | None = None) -> list[Reply]:
    turn.citizen.dialog_state = {"screen": "language"}
    if turn.citizen.locale is None:
        return [_language_reply()]
    return await main_menu(turn)


async def welcome(turn: Turn) -> list[Reply]:
    """First screen when a resident opens the bot (before they send anything)."""
    sections = " · ".join(section.label for section in sections_of_the_menu()[:-1])
    greeting = _hromada_welcome() or _("Hello! Spilno is your city's place to have your say:")
    return [
        Reply(
            greeting + "\n" + sections + "\n" + _("Press Start to begin."),
            buttons=((Button(_("Start"), encode_payload(START)),),),
        )
    ]


def _hromada_welcome() -> str | None:
    """The hromada's own greeting from its profile, in the current language (or none)."""
    welcome = current_profile().welcome
    return None if welcome is None else welcome.get(current_locale())


async def language_screen(turn: Turn, _action: Language | None = None) -> list[Reply]:
    turn.citizen.dialog_state = {"screen": "language"}
    return [_language_reply()]


async def set_language(turn: Turn, action: SetLanguage) -> list[Reply]:
    code = action.code if action.code in SUPPORTED_LOCALES else turn.locale
    first_choice = turn.citizen.locale is None
    await citizens.choose_locale(turn.uow, turn.citizen, code)
    with use_locale(code):
        confirmation = Reply(
            (
                _hromada_welcome()
                or _(
                    "Welcome to Spilno! Here you can take part in your city's life: polls, "
                    "ideas, petitions, consultations, contests, organizations and their events."
                )
            )
            if first_choice
            else _("Language changed to English.")
        )
        return [confirmation, *await main_menu(turn)]


@dataclass(frozen=True, slots=True)
class Section:
    """A main-menu button and the line of /help that explains it: one table keeps them in step."""

    label: str
    payload: str
    help: str
    row: int  # sections with the same row share a row of the menu


def sections_of_the_menu() -> list[Section]:
    features = [
        Section(_(entry.label), entry.action.pack(), _(entry.help), entry.row)
        for feature in FEATURES
        for entry in feature.menu
    ]
    return [
        *features,
        Section(
            _("⚙️ Settings"),
            encode_payload(SETTINGS),
            _(
                "language, notifications, the topics and parts of the city you follow; "
                "confirm your phone number and link Telegram with Viber."
            ),
            4,
        ),
        Section(_("❓ Help"), encode_payload(HELP), "", 4),
    ]


async def main_menu(turn: Turn, _action: OpenMenu | None = None) -> list[Reply]:
    if turn.citizen.locale is None:
        return await start(turn)
    turn.citizen.dialog_state = {"screen": "menu"}
    rows: dict[int, list[Button]] = {}
    for section in sections_of_the_menu():
        rows.setdefault(section.row, []).append(Button(section.label, section.payload))
    return [
        Reply(
            _("Main menu. What would you like to do?"),
            buttons=tuple(tuple(row) for row in rows.values()),
        )
    ]


async def help_screen(turn: Turn, _action: Help | None = None) -> list[Reply]:
    lines = [_("Spilno lets you take part in your city's decisions."), ""]
    lines += [f"• {s.label}: {s.help}" for s in sections_of_the_menu() if s.help]
    lines += [
        "",
        _(
            "Use the buttons under the messages. Commands also work: "
            "/start, /help, /language, /stop (no more notifications)."
        ),
    ]
    return [Reply("\n".join(lines), buttons=(back_to_menu_row(),))]


async def settings_screen(turn: Turn, _action: Settings | None = None) -> list[Reply]:
    back = await back_to_campaign_rows(turn)
    turn.citizen.dialog_state = {"screen": "settings"}
    mode = turn.citizen.notifications
    status = {
        NotificationMode.INSTANT: _("You get notifications as soon as something new opens."),
        NotificationMode.DIGEST: _("You get one daily digest at {hour}:00.").format(
            hour=turn.uow.policies.delivery.digest_hour
        ),
        NotificationMode.OFF: _("Notifications are off."),
    }[mode]
    choices = (
        (NotificationMode.INSTANT, _("🔔 At once")),
        (NotificationMode.DIGEST, _("📬 Once a day")),
        (NotificationMode.OFF, _("🔕 Off")),
    )
    # One button per row: full-width buttons are the easiest to read and press.
    modes = tuple(
        (Button(("✅ " if m == mode else "") + label, encode_payload(NOTIFICATIONS, m.value)),)
        for m, label in choices
    )
    return [
        Reply(
            _("Settings. Current language: {language}.").format(
                language=LANGUAGE_NAMES.get(turn.locale, turn.locale)
            )
            + "\n"
            + status
            + "\n"
            + _("Home district: {district}.").format(district=_home(turn.citizen.home_district)),
            buttons=(
                *back,
                *modes,
                (Button(_("🏠 My home district"), encode_payload(HOME_DISTRICT)),),
                (Button(_("🏷 Topics I follow"), encode_payload(FOLLOW_TOPICS)),),
                (Button(_("📍 My part of the city"), encode_payload(FOLLOW_DISTRICTS)),),
                *await identity.settings_rows(turn),
                (Button(_("🌐 Change language"), encode_payload(LANGUAGE)),),
                (Button(_("🧾 My receipts"), encode_payload(MY_RECEIPTS)),),
                (Button(_("📦 My data"), encode_payload(MY_DATA)),),
                (Button(_("🗑 Delete my data"), encode_payload(FORGET_ME)),),
                back_to_menu_row(),
            ),
        )
    ]


def _home(code: str | None) -> str:
    if code is None or code == WHOLE_CITY or not is_known_district(code):
        return _("not set")
    return district_name(code)


async def set_notifications(turn: Turn, action: Notifications) -> list[Reply]:
    value = action.mode or ""
    # "on" is what the /stop screen's button carries; anything unknown means "at once".
    known = {m.value: m for m in NotificationMode}
    mode = known.get(value, NotificationMode.INSTANT)
    await citizens.set_notifications(turn.uow, turn.citizen, mode)
    return await settings_screen(turn)


async def stop(turn: Turn) -> list[Reply]:
    """/stop: unsubscribe from everything; the resident can still use the bot."""
    await citizens.set_notifications(turn.uow, turn.citizen, NotificationMode.OFF)
    return [
        Reply(
            _(
                "You are unsubscribed: we will not send you any more notifications. "
                "You can still use the bot, and turn notifications back on in Settings."
            ),
            buttons=(
                (Button(_("🔔 Turn notifications on"), encode_payload(NOTIFICATIONS, "on")),),
                back_to_menu_row(),
            ),
        )
    ]


async def unknown_command(turn: Turn) -> list[Reply]:
    return [_refusal(_("I don't know that command. Please use the buttons below."), turn)]


async def text_without_question(turn: Turn) -> list[Reply]:
    if turn.citizen.locale is None:
        return await start(turn)
    text = _("I didn't ask for text just now. Please use the buttons below.")
    if _way_back(turn):
        return [_refusal(text, turn)]
    return [Reply(text), *await main_menu(turn)]


async def unsupported(turn: Turn) -> list[Reply]:
    text = _("Sorry, I can't read this kind of message. Please use the buttons or send text.")
    return [_refusal(text, turn)]


def _way_back(turn: Turn) -> bool:
    return bool(way_back(turn.citizen.dialog_state))


def _refusal(text: str, turn: Turn) -> Reply:
    return refusal(text, turn)


ROUTES: tuple[Route, ...] = (
    on(Start, start),
    on(OpenMenu, main_menu),
    on(Help, help_screen),
    on(Language, language_screen),
    on(SetLanguage, set_language),
    on(Settings, settings_screen),
    on(Notifications, set_notifications),
)
