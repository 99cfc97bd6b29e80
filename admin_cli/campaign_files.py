"""Reading consultation/contest files for the CLI, and their errors as one precise line."""

from __future__ import annotations

from pathlib import Path

from admin_cli.context import EXIT_USAGE, CliError
from core.hromadas.taxonomy import HOME_DISTRICTS
from core.kernel.errors import CampaignFileError
from core.kernel.i18n import _


def file_error(path: Path, error: CampaignFileError) -> CliError:
    """`file:line: field: problem` — what editors and people both understand."""
    where = f"{path}:{error.params.get('line', 1)}"
    field = error.params.get("field") or ""
    return CliError(f"{where}: {field + ': ' if field else ''}{problem_text(error)}", EXIT_USAGE)


def problem_text(error: CampaignFileError) -> str:
    p = error.params
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
        case "duplicate_key":
            return _("key {key!r} is used by another question").format(key=p.get("key"))
        case "skip_unknown_question":
            return _("skip_if refers to {key!r}, which is not an earlier question").format(
                key=p.get("key")
            )
        case "skip_on_text":
            return _("skip_if cannot depend on the free-text question {key!r}").format(
                key=p.get("key")
            )
        case "skip_unknown_answer":
            allowed = ", ".join(str(a) for a in p.get("allowed", []))  # type: ignore[attr-defined]
            return _("answer {answer!r} is not one of: {allowed}").format(
                answer=p.get("answer"), allowed=allowed
            )
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
        case "phases_out_of_order":
            return _(
                "the dates must go in order: submissions open < submissions close "
                "≤ voting opens < voting closes"
            )
        case "eligible_unknown":
            return _("use verified and/or district:CODE,CODE (one string or a list)")
        case "eligible_no_districts":
            return _("name at least one district after district:")
        case "eligible_unknown_district":
            return _("unknown district {value!r}; districts: {codes}").format(
                value=p.get("value"), codes=", ".join(HOME_DISTRICTS)
            )
        case _:
            return detail or error.reason
