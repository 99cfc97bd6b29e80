"""Petitions in chat: file one (addressee, title, text, topic → preview → submit), browse
(newest, most signed, by topic, mine), open one, sign it once, share its link."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.dialogs.feature import Feature, MenuEntry, Params, Row, state_int
from bot.dialogs.identity import Verify
from bot.dialogs.nav import HomeDistrict, back_to_menu_row
from bot.dialogs.text_problems import text_problem
from bot.dialogs.turn import Route, Turn, on
from bot.ui import Action, Button, Id, IncomingKind, Reply, Small, Word
from core.campaigns.eligibility import Ineligible
from core.campaigns.model import CampaignKind
from core.hromadas.bots_addresses import addresses_for
from core.hromadas.scope import current_hromada_id
from core.hromadas.taxonomy import N_, is_topic, topic_codes, topic_name
from core.kernel.errors import (
    CampaignClosedError,
    CampaignNotOpenError,
    InvalidTransitionError,
    ValidationError,
)
from core.kernel.i18n import _, format_datetime, format_number, ngettext
from core.petitions import notifications as petition_words
from core.petitions import service as petitions
from core.petitions.model import (
    ADDRESSEE_MAX,
    TITLE_MAX,
    NewPetition,
    Petition,
    PetitionQuery,
    PetitionSort,
    PetitionStatus,
    validate_addressee,
    validate_text,
    validate_title,
)

# Deep links (`https://t.me/<bot>?start=p12`, Viber's `context=p12`) open petition 12.
DEEP_LINK = "p"


@dataclass(frozen=True, slots=True)
class PetitionsMenu(Action):
    PREFIX = "pet"
    IGNORES_EXTRA = True


@dataclass(frozen=True, slots=True)
class ListPetitions(Action):
    PREFIX = "pls"
    kind: Word  # new | top | my | tp
    page: Small = 0
    topic: Word | None = None


@dataclass(frozen=True, slots=True)
class PetitionTopics(Action):
    PREFIX = "ptp"
    IGNORES_EXTRA = True


@dataclass(frozen=True, slots=True)
class ShowPetition(Action):
    PREFIX = "psh"
    petition_id: Id


@dataclass(frozen=True, slots=True)
class SignPetition(Action):
    PREFIX = "psg"
    petition_id: Id


@dataclass(frozen=True, slots=True)
class SharePetition(Action):
    PREFIX = "pshare"
    petition_id: Id


@dataclass(frozen=True, slots=True)
class FilePetition(Action):
    PREFIX = "pnew"
    IGNORES_EXTRA = True


@dataclass(frozen=True, slots=True)
class DraftAddressee(Action):
    PREFIX = "padr"
    code: Word  # council | head


@dataclass(frozen=True, slots=True)
class DraftTopic(Action):
    PREFIX = "ptop"
    code: Word


@dataclass(frozen=True, slots=True)
class DraftBack(Action):
    PREFIX = "pbk"
    IGNORES_EXTRA = True


@dataclass(frozen=True, slots=True)
class DraftCancel(Action):
    PREFIX = "pcn"
    IGNORES_EXTRA = True


@dataclass(frozen=True, slots=True)
class DraftSubmit(Action):
    PREFIX = "psub"
    IGNORES_EXTRA = True


PAGE_SIZE = 5
DRAFT_SCREEN = "petition_draft:"
DRAFT_KEY = "petition"
STEPS = ("addressee", "title", "text", "topic", "preview")
QUESTIONS = STEPS[:-1]
_LISTS = ("new", "top", "my", "tp")
# The addressees most petitions go to, as buttons; anyone else is typed.
ADDRESSEES = {
    "council": N_("The city council"),
    "head": N_("The city head"),
}


def _to_petitions_row() -> Row:
    return (Button(_("« Petitions"), PetitionsMenu().pack()),)


def _short(title: str, width: int = 40) -> str:
    return title if len(title) <= width else title[: width - 1] + "…"


def status_label(petition: Petition) -> str:
    return {
        PetitionStatus.PENDING: _("waiting for moderation"),
        PetitionStatus.REJECTED: _("not published"),
        PetitionStatus.OPEN: _("collecting signatures"),
        PetitionStatus.THRESHOLD_REACHED: _("under consideration by the city"),
        PetitionStatus.ANSWERED: _("answered"),
        PetitionStatus.NOT_ENOUGH_SIGNATURES: _("closed: not enough signatures"),
    }[petition.status]


def _signatures_line(petition: Petition) -> str:
    if petition.threshold:
        return _("✍️ {count} of {n} signatures").format(
            count=format_number(petition.signatures), n=format_number(petition.threshold)
        )
    return "✍️ " + ngettext("{n} signature", "{n} signatures", petition.signatures).format(
        n=format_number(petition.signatures)
    )


def _days_left(days: int) -> str:
    if days == 0:
        return _("closes today")
    return ngettext("{n} day left", "{n} days left", days).format(n=days)


# --- the petitions menu and lists ---------------------------------------------------------


async def petitions_menu(turn: Turn, _action: PetitionsMenu | None = None) -> list[Reply]:
    turn.citizen.dialog_state = {"screen": "petitions"}
    policy = turn.uow.policies.petitions
    text = _(
        "Petitions. File a petition to the city, or sign the ones you support. A petition "
        "that gathers {n} signatures within {days} days must be considered by the city, and "
        "everyone who signed it gets the answer."
    ).format(n=format_number(policy.threshold), days=policy.days)
    rows: list[Row] = [
        (Button(_("✍️ File a petition"), FilePetition().pack()),),
        (
            Button(_("🆕 Newest"), ListPetitions("new").pack()),
            Button(_("🔥 Most signed"), ListPetitions("top").pack()),
        ),
        (
            Button(_("🗂 By topic"), PetitionTopics().pack()),
            Button(_("🙋 My petitions"), ListPetitions("my").pack()),
        ),
        back_to_menu_row(),
    ]
    return [Reply(text, buttons=tuple(rows))]


async def topics_screen(turn: Turn, _action: PetitionTopics | None = None) -> list[Reply]:
    codes = topic_codes()
    rows = [
        tuple(Button(topic_name(c), ListPetitions("tp", 0, c).pack()) for c in codes[i : i + 2])
        for i in range(0, len(codes), 2)
    ]
    return [Reply(_("Choose a topic."), buttons=(*rows, _to_petitions_row()))]


def _query(turn: Turn, kind: str, topic: str | None) -> tuple[PetitionQuery, str]:
    match kind:
        case "top":
            return PetitionQuery(sort=PetitionSort.TOP), _("🔥 Most signed petitions")
        case "my":
            return (
                PetitionQuery(statuses=tuple(PetitionStatus), author_id=turn.citizen.id),
                _("🙋 My petitions"),
            )
        case "tp" if topic is not None and is_topic(topic):
            return PetitionQuery(sort=PetitionSort.TOP, topic=topic), "🗂 " + topic_name(topic)
    return PetitionQuery(), _("🆕 Newest petitions")


async def petition_list(turn: Turn, action: ListPetitions) -> list[Reply]:
    kind = action.kind if action.kind in _LISTS else "new"
    if kind == "tp" and not (action.topic is not None and is_topic(action.topic)):
        return await topics_screen(turn)
    query, title = _query(turn, kind, action.topic)
    page = action.page
    turn.citizen.dialog_state = {
        "screen": "petitions_list",
        "list": kind,
        "page": page,
        **({"topic": action.topic} if kind == "tp" else {}),
    }
    shown, has_more = await petitions.browse(turn.uow, query, page=page, page_size=PAGE_SIZE)
    if not shown and page == 0:
        empty = (
            _("You have not filed any petitions yet.")
            if kind == "my"
            else _("No petitions here yet. Be the first to file one!")
        )
        return [
            Reply(
                empty,
                buttons=(
                    (Button(_("✍️ File a petition"), FilePetition().pack()),),
                    _to_petitions_row(),
                ),
            )
        ]
    lines = [title + (" · " + _("page {page}").format(page=page + 1) if page else "")]
    rows: list[Row] = []
    for petition in shown:
        line = f"№{petition.id} · ✍️ {format_number(petition.signatures)} · {petition.title}"
        if kind == "my" or petition.status != PetitionStatus.OPEN:
            line += f" ({status_label(petition)})"
        lines.append(line)
        rows.append(
            (
                Button(
                    f"✍️ {_short(petition.title)} · {petition.signatures}",
                    ShowPetition(petition.id).pack(),
                ),
            )
        )
    nav = []
    if page > 0:
        nav.append(Button(_("« Previous"), ListPetitions(kind, page - 1, action.topic).pack()))
    if has_more:
        nav.append(Button(_("Next »"), ListPetitions(kind, page + 1, action.topic).pack()))
    if nav:
        rows.append(tuple(nav))
    rows.append(_to_petitions_row())
    return [Reply("\n".join(lines), buttons=tuple(rows))]


# --- one petition -------------------------------------------------------------------------


async def petition_screen(turn: Turn, action: ShowPetition) -> list[Reply]:
    return [await render_petition(turn, action.petition_id)]


async def open_petition(turn: Turn, petition_id: int) -> list[Reply]:
    """What a campaign link or a deep link opens."""
    return [await render_petition(turn, petition_id)]


async def render_petition(turn: Turn, petition_id: int, notice: str | None = None) -> Reply:
    petition = await petitions.petition_for_resident(turn.uow, petition_id, turn.citizen.id)
    signed = petition.id in await petitions.signed_among(turn.uow, turn.citizen.id, [petition.id])
    turn.citizen.dialog_state = {"screen": "petition", "petition": petition.id}
    lines = [notice, ""] if notice else []
    lines += [
        _("✍️ Petition №{id}").format(id=petition.id),
        petition.title,
        _("To: {addressee}").format(addressee=petition.addressee),
        "",
        petition.text,
        "",
        _("Topic: {topic}").format(topic=topic_name(petition.topic)),
        _("Status: {status}").format(status=status_label(petition)),
    ]
    if petition.status != PetitionStatus.PENDING and petition.status != PetitionStatus.REJECTED:
        line = _signatures_line(petition)
        days = petition.days_left(turn.now)
        if days is not None:
            line += " · " + _days_left(days)
        lines.append(line)
    if petition.status == PetitionStatus.THRESHOLD_REACHED and petition.answer_due_at:
        lines.append(
            _("The city must answer by {date}.").format(
                date=format_datetime(petition.answer_due_at)
            )
        )
    if signed:
        lines.append(_("You signed this petition."))
    if petition.answer:
        decision = petition_words.decision_label(petition.decision) if petition.decision else ""
        lines += ["", _("🏛 The city's answer ({decision}):").format(decision=decision)]
        lines.append(petition.answer)
    if petition.status == PetitionStatus.REJECTED and petition.reject_reason:
        lines += [
            "",
            _("Why it was not published: {reason}.").format(
                reason=petition_words.reject_reason_label(petition.reject_reason)
            ),
        ]
        if petition.reject_note:
            lines.append(petition.reject_note)
    rows: list[Row] = []
    signable = petition.is_signable(turn.now)
    if signable and not signed:
        rows.append((Button(_("✍️ Sign"), SignPetition(petition.id).pack()),))
    if signable:
        rows.append((Button(_("🔗 Share the petition"), SharePetition(petition.id).pack()),))
    rows.append(_to_petitions_row())
    return Reply("\n".join(lines), buttons=tuple(rows))


async def sign(turn: Turn, action: SignPetition) -> list[Reply]:
    _petition, new = await petitions.sign_petition(
        turn.uow, petition_id=action.petition_id, citizen_id=turn.citizen.id, now=turn.now
    )
    notice = (
        _("✍️ Thank you! Your signature is counted.")
        if new
        else _("You have already signed this petition; a signature counts once.")
    )
    return [await render_petition(turn, action.petition_id, notice=notice)]


def share_link(turn: Turn, petition_id: int) -> str | None:
    """The link that opens this petition in the bot, on the resident's own messenger: the
    bot of the hromada the resident is in (each hromada has its own)."""
    bots = addresses_for(current_hromada_id(), turn.uow.policies.bots)
    return bots.deep_link(turn.incoming.identity.platform, f"{DEEP_LINK}{petition_id}")


async def share(turn: Turn, action: SharePetition) -> list[Reply]:
    petition = await petitions.petition_for_resident(turn.uow, action.petition_id, turn.citizen.id)
    link = share_link(turn, petition.id)
    if link:
        text = _(
            "Share this link with your neighbours: it opens the petition №{id} “{title}” in "
            "the bot, where they can sign it.\n\n{link}"
        ).format(id=petition.id, title=petition.title, link=link)
    else:
        text = _(
            "Tell your neighbours to open this bot, choose Petitions and find the petition "
            "№{id} “{title}” (or send the bot /start p{id})."
        ).format(id=petition.id, title=petition.title)
    back = (Button(_("« Back to the petition"), ShowPetition(petition.id).pack()),)
    return [Reply(text, buttons=(back, _to_petitions_row()))]


# --- filing: addressee → title → text → topic → preview -----------------------------------


def _draft(turn: Turn) -> dict[str, Any]:
    found = turn.citizen.dialog_state.get(DRAFT_KEY)
    return dict(found) if isinstance(found, dict) else {}


def _step(turn: Turn) -> str | None:
    screen = str(turn.citizen.dialog_state.get("screen", ""))
    step = screen.removeprefix(DRAFT_SCREEN) if screen.startswith(DRAFT_SCREEN) else None
    return step if step in STEPS else None


async def file_petition(turn: Turn, _action: FilePetition | None = None) -> list[Reply]:
    policy = turn.uow.policies.petitions
    lacking = petitions.missing(turn.citizen, policy)
    if lacking:
        return [_may_not_file(lacking)]
    return await _go_to(turn, "addressee", {})


def _may_not_file(lacking: list[Ineligible]) -> Reply:
    lines = [_("Only verified residents of the hromada file and sign petitions.")]
    rows: list[Row] = []
    if Ineligible.NOT_VERIFIED in lacking:
        lines.append(_("You have not confirmed your phone number yet."))
        rows.append((Button(_("📱 Confirm my phone number"), Verify().pack()),))
    if Ineligible.NO_DISTRICT in lacking:
        lines.append(_("You have not set your home district yet."))
        rows.append((Button(_("🏠 Set my home district"), HomeDistrict().pack()),))
    return Reply("\n".join(lines), buttons=(*rows, _to_petitions_row()))


async def _go_to(
    turn: Turn, step: str, draft: dict[str, Any], notice: str | None = None
) -> list[Reply]:
    turn.citizen.dialog_state = {"screen": DRAFT_SCREEN + step, DRAFT_KEY: draft}
    replies = [Reply(notice)] if notice and step != "preview" else []
    if step == "preview":
        return [_preview(turn, draft, notice)]
    return [*replies, _prompt(turn, step, draft)]


def _nav_row() -> Row:
    return (Button(_("« Back"), DraftBack().pack()), Button(_("✖️ Cancel"), DraftCancel().pack()))


def _prompt(turn: Turn, step: str, draft: dict[str, Any]) -> Reply:
    header = _("Step {n} of {total}.").format(n=QUESTIONS.index(step) + 1, total=len(QUESTIONS))
    rows: list[Row] = []
    match step:
        case "addressee":
            text = _(
                "Who is the petition to? Choose, or write the name of the body or official "
                "(up to {max} characters)."
            ).format(max=ADDRESSEE_MAX)
            rows.append(
                tuple(
                    Button(_(label), DraftAddressee(code).pack())
                    for code, label in ADDRESSEES.items()
                )
            )
        case "title":
            text = _(
                "Write the title of the petition: what you ask for, in a few words "
                "(up to {max} characters)."
            ).format(max=TITLE_MAX)
        case "text":
            text = _(
                "Write the text of the petition: what should be done and why "
                "(up to {max} characters)."
            ).format(max=turn.uow.policies.petitions.text_max)
        case _:
            text = _("Choose the topic of the petition.")
            codes = topic_codes()
            rows += [
                tuple(Button(topic_name(c), DraftTopic(c).pack()) for c in codes[i : i + 2])
                for i in range(0, len(codes), 2)
            ]
    now = draft.get(step)
    if isinstance(now, str) and now and step in ("addressee", "title"):
        text += "\n" + _("Now: “{value}”. Send a new one or press Back.").format(value=now)
    return Reply(header + " " + text, buttons=(*rows, _nav_row()))


def _preview(turn: Turn, draft: dict[str, Any], notice: str | None) -> Reply:
    lines = [notice, ""] if notice else []
    lines += [
        _("Please check your petition:"),
        "",
        _("To: {addressee}").format(addressee=draft.get("addressee", "")),
        "✍️ " + str(draft.get("title", "")),
        "",
        str(draft.get("text", "")),
        "",
        _("Topic: {topic}").format(topic=topic_name(str(draft.get("topic") or "—"))),
        "",
        _(
            "After you submit it, a moderator checks it. Once published, it cannot be edited, "
            "and your name is not shown to other residents."
        ),
    ]
    rows = [(Button(_("✅ Submit the petition"), DraftSubmit().pack()),), _nav_row()]
    return Reply("\n".join(lines), buttons=tuple(rows))


async def _no_draft(turn: Turn) -> list[Reply]:
    return [
        Reply(_("This petition draft is no longer open. You can start a new one.")),
        *await petitions_menu(turn),
    ]


async def draft_input(turn: Turn) -> list[Reply]:
    """Text typed while filing goes to the step on screen."""
    step = _step(turn)
    if step is None:
        return await _no_draft(turn)
    draft = _draft(turn)
    incoming = turn.incoming
    if step not in ("addressee", "title", "text") or incoming.kind != IncomingKind.TEXT:
        return [
            Reply(_("Please answer with text, or choose with the buttons below.")),
            *await _go_to(turn, step, draft),
        ]
    value = incoming.text or ""
    try:
        match step:
            case "addressee":
                draft["addressee"] = validate_addressee(value)
            case "title":
                draft["title"] = validate_title(value)
            case _:
                draft["text"] = validate_text(value, turn.uow.policies.petitions.text_max)
    except ValidationError as error:
        return [Reply(input_problem(error)), _prompt(turn, step, draft)]
    return await _go_to(turn, STEPS[STEPS.index(step) + 1], draft)


async def draft_addressee(turn: Turn, action: DraftAddressee) -> list[Reply]:
    step = _step(turn)
    if step is None:
        return await _no_draft(turn)
    draft = _draft(turn)
    if step != "addressee" or action.code not in ADDRESSEES:
        return await _go_to(turn, step, draft)
    draft["addressee"] = _(ADDRESSEES[action.code])
    return await _go_to(turn, "title", draft)


async def draft_topic(turn: Turn, action: DraftTopic) -> list[Reply]:
    step = _step(turn)
    if step is None:
        return await _no_draft(turn)
    draft = _draft(turn)
    if step != "topic" or not is_topic(action.code):
        return await _go_to(turn, step, draft)
    draft["topic"] = action.code
    return await _go_to(turn, "preview", draft)


async def draft_back(turn: Turn, _action: DraftBack | None = None) -> list[Reply]:
    step = _step(turn)
    if step is None:
        return await _no_draft(turn)
    if step == STEPS[0]:
        return await petitions_menu(turn)
    return await _go_to(turn, STEPS[STEPS.index(step) - 1], _draft(turn))


async def draft_cancel(turn: Turn, _action: DraftCancel | None = None) -> list[Reply]:
    return [
        Reply(_("The petition draft is deleted. Nothing was sent.")),
        *await petitions_menu(turn),
    ]


async def draft_submit(turn: Turn, _action: DraftSubmit | None = None) -> list[Reply]:
    step = _step(turn)
    if step is None:
        return await _no_draft(turn)
    draft = _draft(turn)
    if step != "preview":
        return await _go_to(turn, step, draft)
    try:
        petition = await petitions.file_petition(
            turn.uow,
            NewPetition(
                author_id=turn.citizen.id,
                addressee=str(draft.get("addressee", "")),
                title=str(draft.get("title", "")),
                text=str(draft.get("text", "")),
                topic=str(draft.get("topic", "")),
            ),
            now=turn.now,
        )
    except ValidationError as error:
        field = str(error.params.get("field", ""))
        back_to = field if field in QUESTIONS else "topic"
        return await _go_to(turn, back_to, draft, notice=input_problem(error))
    turn.citizen.dialog_state = {"screen": "petition", "petition": petition.id}
    text = _(
        "🙏 Thank you! Your petition №{id} is sent to the moderators. We will tell you when it "
        "is published and open for signatures."
    ).format(id=petition.id)
    return [
        Reply(
            text,
            buttons=(
                (Button(_("✍️ Open my petition"), ShowPetition(petition.id).pack()),),
                _to_petitions_row(),
            ),
        )
    ]


def input_problem(error: ValidationError) -> str:
    names = {
        "addressee": _("The addressee"),
        "title": _("The title"),
        "text": _("The text"),
    }
    return text_problem(
        error, names, links=_("Please do not put links here. You can add them to the text.")
    )


ROUTES: tuple[Route, ...] = (
    on(PetitionsMenu, petitions_menu),
    on(ListPetitions, petition_list),
    on(PetitionTopics, topics_screen),
    on(ShowPetition, petition_screen),
    on(SignPetition, sign),
    on(SharePetition, share),
    on(FilePetition, file_petition),
    on(DraftAddressee, draft_addressee),
    on(DraftTopic, draft_topic),
    on(DraftBack, draft_back),
    on(DraftCancel, draft_cancel),
    on(DraftSubmit, draft_submit),
)


def _way_back(screen: str, state: Mapping[str, Any]) -> tuple[Button | None, Button | None] | None:
    menu = Button(_("« Petitions"), PetitionsMenu().pack())
    if screen.startswith(DRAFT_SCREEN):
        return None, menu
    match screen:
        case "petitions":
            return None, menu
        case "petitions_list" if state.get("list") in ("new", "top", "my"):
            listed = ListPetitions(str(state["list"]), state_int(state, "page")).pack()
            return Button(_("« Back to the list"), listed), menu
        case "petitions_list":
            return None, menu
        case "petition":
            here = ShowPetition(state_int(state, "petition") or 1).pack()
            return Button(_("« Back to the petition"), here), menu
    return None


def _closed(p: Params) -> str:
    return _("This petition no longer takes signatures.")


def _not_open(p: Params) -> str:
    return _("This petition is not open for signatures yet: a moderator is checking it.")


FEATURE = Feature(
    routes=ROUTES,
    commands={"petitions": petitions_menu},
    input_screens={DRAFT_SCREEN: draft_input},
    menu=(
        MenuEntry(
            N_("✍️ Petitions"),
            PetitionsMenu(),
            N_(
                "file a petition to the city and sign others'; with enough signatures the "
                "city must answer, and every signer gets the answer."
            ),
            1,
        ),
    ),
    kind=CampaignKind.PETITION,
    opener=open_petition,
    results=open_petition,
    deep_links={DEEP_LINK: open_petition},
    kind_texts={CampaignClosedError: _closed, CampaignNotOpenError: _not_open},
    officials_only=(
        (InvalidTransitionError, "petition_status"),
        (ValidationError, "petition_days"),
        (ValidationError, "petition_text_max"),
    ),
    way_back=_way_back,
)
