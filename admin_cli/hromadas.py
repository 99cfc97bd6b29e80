"""`spilno-admin hromada …`: a hromada's profile (names, settings, districts, topics) from a
YAML file, shown, listed, and new hromadas created (issue 18).

A hromada's officials show and apply its own profile; the installation's operator
(`officials add NAME --role operator`) creates and lists hromadas and shows and applies any
one's profile (`--hromada SLUG`), in an operator unit of work.

`apply` shows what the file changes and applies it after confirmation (`--yes` skips it).
A district or topic some record uses is never deleted: left out of the file it is retired
(kept for the records, hidden from new choices); one nobody uses is deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from admin_cli.actions import ActionContext, action
from admin_cli.campaign_files import file_error
from admin_cli.client import client
from admin_cli.context import EXIT_USAGE, CliError
from admin_cli.files import read_text
from admin_cli.hromada_bots import register as register_bots
from admin_cli.kind import Text
from admin_cli.output import WIDTH, echo_json
from core.hromadas import service as hromadas
from core.hromadas.model import HromadaProfile, Names, ProfileChange, ProfilePlan
from core.hromadas.ports import HromadaSummary
from core.hromadas.profile_file import parse_profile
from core.kernel.errors import CampaignFileError
from core.kernel.i18n import _, current_locale

if TYPE_CHECKING:
    from core.kernel.unit_of_work import UnitOfWork

hromada_cli = typer.Typer(
    help="The hromada: its profile (names, settings, districts, topics) and its bots.",
    no_args_is_help=True,
)
register_bots(hromada_cli)  # hromada set-bot (admin_cli/hromada_bots.py)

_JSON = Annotated[bool, typer.Option("--json", help="Print JSON.")]
_FILE = Annotated[Path, typer.Option("--file", help="The profile, as YAML (see examples/).")]

# What can be wrong in a profile file beyond what every YAML file can have.
FILE_PROBLEMS: dict[str, Text] = {
    "duplicate_code": lambda p: _("the code {value!r} is used twice").format(value=p.get("value")),
    "no_whole_hromada": lambda p: _(
        "the districts need the whole hromada's entry, code {value!r}"
    ).format(value=p.get("value")),
    "whole_hromada_fixed": lambda p: _(
        "the whole hromada's entry ({value!r}) can have no parent and cannot be retired"
    ).format(value=p.get("value")),
    "unknown_parent": lambda p: _("parent {value!r} is not another district of this file").format(
        value=p.get("value")
    ),
    "nested_parent": lambda p: _(
        "parent {value!r} has a parent itself; districts nest one level deep"
    ).format(value=p.get("value")),
    "retired_parent": lambda p: _(
        "parent {value!r} is retired; retire this district too or choose another parent"
    ).format(value=p.get("value")),
    "unknown_timezone": lambda p: _("unknown time zone {value!r} (e.g. Europe/Kyiv)").format(
        value=p.get("value")
    ),
    "bad_quiet_hours": lambda p: _("write quiet hours like 22:00-09:00, or off"),
    "string_pattern_mismatch": lambda p: _(
        "a code is 1-32 lowercase Latin letters, digits, _ and -, starting with a letter"
    ),
    "literal_error": lambda p: _("use uk or en"),
    "string_too_short": lambda p: _("must not be empty"),
    "too_short": lambda p: _("list at least one"),
    "too_long": lambda p: _("too many entries (at most {max})").format(max=p.get("max_length")),
    "int_type": lambda p: _("must be a whole number"),
    "greater_than_equal": lambda p: _("must be at least {min}").format(min=p.get("ge")),
    "less_than_equal": lambda p: _("must be at most {max}").format(max=p.get("le")),
    "bool_type": lambda p: _("must be true or false"),
    "string_type": lambda p: _("must be text"),
    "list_type": lambda p: _("must be a list"),
    "model_type": lambda p: _("must be a mapping (uk: …, en: …)"),
    "model_attributes_type": lambda p: _("must be a mapping (uk: …, en: …)"),
}


def _parse_profile(text: str, file_name: str) -> HromadaProfile:
    """The profile a file's text describes; a problem names the file and its line."""
    try:
        return parse_profile(text)
    except CampaignFileError as error:
        raise file_error(Path(file_name), error, FILE_PROBLEMS) from None


@action("hromada.show", commit=False, operator_if_stranger=True)
async def show_action(ctx: ActionContext, uow: UnitOfWork) -> HromadaProfile:
    """The current hromada's profile (the operator: any hromada's)."""
    return await hromadas.profile(uow, actor=ctx.official)


@hromada_cli.command("show")
def show(as_json: _JSON = False) -> None:
    """The current hromada's profile."""
    profile = client().call(show_action)
    if as_json:
        echo_json(profile.as_dict())
        return
    print_profile(profile)


@action("hromada.apply.preview", commit=False, operator_if_stranger=True)
async def preview_action(
    ctx: ActionContext, uow: UnitOfWork, *, profile_text: str, file_name: str
) -> ProfilePlan:
    """What a profile file (its YAML text; `file_name` for messages) would change in the
    current hromada's profile; nothing is written."""
    wanted = _parse_profile(profile_text, file_name)
    return await hromadas.plan_apply(uow, wanted, actor=ctx.official)


@action("hromada.apply", operator_if_stranger=True)
async def apply_action(
    ctx: ActionContext,
    uow: UnitOfWork,
    *,
    profile_text: str,
    file_name: str,
    expected: tuple[ProfileChange, ...] | None = None,
) -> ProfilePlan:
    """Apply a profile file to the current hromada's profile; with `expected` (the changes the
    official confirmed), refuse if the changes are no longer those. A district or topic left
    out is deleted if nothing uses it, else retired."""
    wanted = _parse_profile(profile_text, file_name)
    return await hromadas.apply(uow, wanted, actor=ctx.official, now=ctx.now(), expected=expected)


@hromada_cli.command("apply")
def apply(
    file: _FILE,
    yes: Annotated[bool, typer.Option("--yes", help="Apply without asking.")] = False,
) -> None:
    """Show what the file changes in the current hromada's profile, then apply it.

    A district or topic left out of the file is deleted if nothing uses it, else retired."""
    text = read_text(file)
    plan = client().call(preview_action, profile_text=text, file_name=str(file))
    if not plan.changes:
        typer.echo(_("Nothing to change: the profile is already as the file says."))
        return
    typer.echo(_("Applying {file} changes:").format(file=file))
    for change in plan.changes:
        typer.echo(f"  • {change_text(change)}")
    if not yes and not typer.confirm(_("Apply these changes?"), default=False):
        typer.echo(_("Nothing was changed."))
        return
    client().call(apply_action, profile_text=text, file_name=str(file), expected=plan.changes)
    typer.echo(_("The profile is applied."))


@dataclass(frozen=True, slots=True)
class Created:
    id: int
    names: Names


@action("hromada.create", operator=True)
async def create_action(
    ctx: ActionContext, uow: UnitOfWork, *, slug: str, profile_text: str, file_name: str
) -> Created:
    """A new hromada with the profile a file describes (the installation's operator)."""
    wanted = _parse_profile(profile_text, file_name)
    hromada_id = await hromadas.create(uow, slug, wanted, actor=ctx.official, now=ctx.now())
    return Created(hromada_id, wanted.names)


@hromada_cli.command("create")
def create(
    slug: Annotated[str, typer.Argument(help="Short name: lowercase Latin letters, digits, -.")],
    file: _FILE,
) -> None:
    """A new hromada with the profile in the file (the installation's operator)."""
    hromadas.check_slug(slug)
    text = read_text(file)
    created = client().call(create_action, slug=slug, profile_text=text, file_name=str(file))
    typer.echo(
        _("Hromada {slug} created (id {id}): {name}.").format(
            slug=slug, id=created.id, name=created.names.get(current_locale())
        )
    )


@action("hromada.list", commit=False, operator=True)
async def list_action(ctx: ActionContext, uow: UnitOfWork) -> list[HromadaSummary]:
    """Every hromada this installation serves (the installation's operator)."""
    return await hromadas.hromadas(uow, actor=ctx.official)


@hromada_cli.command("list")
def list_(as_json: _JSON = False) -> None:
    """Every hromada this installation serves (the installation's operator)."""
    found = client().call(list_action)
    if as_json:
        echo_json([_summary(h) for h in found])
        return
    table = Table(title=_("Hromadas"))
    for header in (_("Id"), _("Short name"), _("Name"), _("Districts"), _("Topics")):
        table.add_column(header)
    for h in found:
        p = h.profile
        table.add_row(
            str(h.id),
            h.slug,
            "—" if p is None else p.names.get(current_locale()),
            "—" if p is None else str(len(p.active_districts())),
            "—" if p is None else str(len(p.active_topics())),
        )
    Console(width=WIDTH).print(table)


def _summary(h: HromadaSummary) -> dict[str, object]:
    return {
        "id": h.id,
        "slug": h.slug,
        "created_at": h.created_at.isoformat(),
        "name": None if h.profile is None else {"uk": h.profile.names.uk, "en": h.profile.names.en},
    }


def print_profile(profile: HromadaProfile) -> None:
    locale = current_locale()
    console = Console(width=WIDTH)
    console.print(_("Hromada: {name}").format(name=profile.names.get(locale)))
    settings = Table(title=_("Settings"))
    settings.add_column(_("Setting"))
    settings.add_column(_("Value"))
    for key, value in profile.settings.as_dict().items():
        settings.add_row(key, _value(value))
    welcome = profile.welcome.get(locale) if profile.welcome is not None else None
    settings.add_row("welcome", _value(welcome))
    console.print(settings)
    districts = Table(title=_("Districts"))
    for header in (_("Code"), _("Ukrainian"), _("English"), _("Inside"), _("Status")):
        districts.add_column(header)
    for d in profile.districts:
        districts.add_row(d.code, d.names.uk, d.names.en, d.parent or "", _status(d.retired))
    console.print(districts)
    topics = Table(title=_("Topics"))
    for header in (_("Code"), _("Ukrainian"), _("English"), _("Status")):
        topics.add_column(header)
    for t in profile.topics:
        topics.add_row(t.code, t.names.uk, t.names.en, _status(t.retired))
    console.print(topics)


def _status(retired: bool) -> str:
    return _("retired") if retired else _("in use")


def _value(value: object) -> str:
    return _("the installation's default") if value is None else str(value)


def change_text(change: ProfileChange) -> str:
    """One change as the official reads it before confirming."""
    entry = {
        "district": _("district {code}"),
        "topic": _("topic {code}"),
        "setting": _("setting {code}"),
        "name": _("the hromada's name"),
        "welcome": _("the welcome text"),
    }[change.entry].format(code=change.code)
    before, after = _value(change.before), _value(change.after)
    match change.what:
        case "added":
            return _("{entry}: added ({after})").format(entry=entry, after=after)
        case "renamed" | "changed":
            return _("{entry}: {before} → {after}").format(entry=entry, before=before, after=after)
        case "moved":
            return _("{entry}: inside {before} → inside {after}").format(
                entry=entry, before=change.before or "—", after=change.after or "—"
            )
        case "retired":
            return _("{entry}: retired (kept for records, hidden from new choices)").format(
                entry=entry
            )
        case "retired_in_use":
            return _(
                "{entry}: not in the file but records use it, so it is retired, not deleted"
            ).format(entry=entry)
        case "restored":
            return _("{entry}: back in use").format(entry=entry)
        case "deleted":
            return _("{entry}: deleted (no record uses it)").format(entry=entry)
    raise CliError(change.what, EXIT_USAGE)  # unreachable: every kind of change is above
