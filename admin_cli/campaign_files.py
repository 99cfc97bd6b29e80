"""Campaign files' errors for the CLI, as one precise line: `file:line: field: problem`.

The problems every campaign file can have are worded here; a kind words its own (a contest's
phases, a consultation's questions) in its CLI module and passes them to `file_error`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from admin_cli.context import EXIT_USAGE, CliError
from admin_cli.kind import Params, Text
from core.hromadas.taxonomy import home_district_codes
from core.kernel.errors import CampaignFileError
from core.kernel.i18n import _


def file_error(
    path: str | Path, error: CampaignFileError, kind_problems: Mapping[str, Text] | None = None
) -> CliError:
    """`file:line: field: problem` — what editors and people both understand. `path`: the file
    as the official named it (an action gets its text and this name, not the file)."""
    where = f"{path}:{error.params.get('line', 1)}"
    field = error.params.get("field") or ""
    own = (kind_problems or {}).get(error.reason)
    problem = own(error.params) if own is not None else problem_text(error)
    return CliError(f"{where}: {field + ': ' if field else ''}{problem}", EXIT_USAGE)


def problem_text(error: CampaignFileError) -> str:
    """The problems any campaign's file can have (its YAML, its shared fields)."""
    p: Params = error.params
    detail = str(p.get("detail", ""))
    match error.reason:
        case "missing":
            return _("this field is required")
        case "extra_forbidden":
            return _("unknown field (check the spelling)")
        case "yaml_syntax":
            return _("not valid YAML ({detail})").format(detail=detail)
        case "empty_file" | "not_a_mapping":
            return _("the file must be a YAML mapping (title: …, questions: …)")
        case "closes_before_opens":
            return _("closes must be later than opens")
        case "date_out_of_range":
            return _("the date must be between the years {first} and {last}").format(
                first=p.get("first"), last=p.get("last")
            )
        case "string_too_long":
            return _("longer than {max} characters").format(max=p.get("max_length"))
        case "bad_character":
            return _(
                "contains a character that cannot be stored (NUL, another control character or "
                "a lone surrogate)"
            )
        case "eligible_unknown":
            return _("use verified and/or district:CODE,CODE (one string or a list)")
        case "eligible_no_districts":
            return _("name at least one district after district:")
        case "eligible_unknown_district":
            return _("unknown district {value!r}; districts: {codes}").format(
                value=p.get("value"), codes=", ".join(home_district_codes())
            )
        case _:
            return detail or error.reason
