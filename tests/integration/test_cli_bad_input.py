"""Bad input to `spilno-admin` — dates, ids, lengths, files — is one line on stderr and exit 2.

Each case ran into a traceback (or was silently accepted) before: an official typing a wrong
value must read what to fix, in their language, never a stack trace.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from admin_cli.app import run_cli
from tests.examples import future_year

Y = future_year()  # every date the cases need to be valid is still ahead
ADMIN = str(Path(sys.executable).with_name("spilno-admin"))
INT64_PAST = str(2**63)  # one more than PostgreSQL's bigint and SQLite's integer hold
NOWHERE = "/nonexistent-dir/out"
IDS = f"must be a whole number from 1 to {2**63 - 1}"
LIMITS = "must be a whole number from 1 to 10000"

CONSULTATION = """\
title: Park
opens: {opens}
closes: {closes}
questions:
  - key: q1
    type: single
    text: {text}
    options: [Park, Square]
"""
CONTEST = """\
title: River bank
problem: Empty at night
submissions: {{opens: {opens}, closes: {y}-01-10T09:00}}
voting: {{opens: {y}-01-11T09:00, closes: {y}-01-20T09:00}}
"""


def consultation(opens: str = f"{Y}-01-01T09:00", closes: str = f"{Y}-01-08T09:00", text="Q?"):
    return CONSULTATION.format(opens=opens, closes=closes, text=text)


def contest(opens: str) -> str:
    return CONTEST.format(opens=opens, y=Y)


@pytest.fixture
def admin(sqlite_template, tmp_path, monkeypatch, capsys):
    """Runs the CLI in-process on a fresh SQLite database holding poll 1 and organization `green`."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SPILNO_DATABASE_URL", sqlite_template.fresh(tmp_path))
    monkeypatch.setenv("SPILNO_DEFAULT_LOCALE", "en")
    monkeypatch.delenv("SPILNO_OFFICIAL", raising=False)
    monkeypatch.delenv("SPILNO_CITY_ADMINS", raising=False)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        capsys.readouterr()
        code = run_cli(list(args))
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out, err)

    for setup in (
        ["poll", "create", "--question", "Park?", "--option", "Yes", "--option", "No"],
        ["org", "create", "--name", "Green", "--slug", "green"],
    ):
        assert run(*setup).returncode == 0
    return run


def write(tmp_path: Path, name: str, content: str | bytes) -> str:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return str(path)


POLL = ["poll", "create", "--question", "Q?", "--option", "A", "--option", "B"]
CALL = ["idea-call", "create", "--title", "T", "--closes", f"{Y}-01-01T00:00"]
EVENT = ["org", "event", "create", "green", "--title", "T", "--place", "P"]
RESULTS = ["campaign", "results", "1"]
LONG = "d" * 100_000

# (case id, arguments (@name: a file from `files`), what the one line must mention)
BAD_INPUTS: list[tuple[str, list[str], str]] = [
    # dates outside 2000–2100
    ("opens-year-1", [*POLL, "--opens", "0001-01-01T00:00"], "--opens"),
    ("closes-year-9999", [*POLL, "--closes", "9999-12-31T23:59-12:00"], "--closes"),
    ("closes-year-1999", [*POLL, "--closes", "1999-12-31T23:00"], "--closes"),
    ("audit-since-year-1", ["audit", "--since", "0001-01-01T00:00"], "--since"),
    ("idea-call-closes-9999", [*CALL[:4], "--closes", "9999-12-31T23:59-12:00"], "--closes"),
    ("event-starts-year-1", [*EVENT, "--starts", "0001-01-01T00:00"], "--starts"),
    ("yaml-opens-year-1", ["consultation", "create", "--file", "@year1.yaml"], "year1.yaml:2"),
    ("yaml-closes-9999", ["consultation", "create", "--file", "@year9999.yaml"], "year9999.yaml:3"),
    ("contest-year-1", ["contest", "create", "--file", "@contest1.yaml"], "contest1.yaml:3"),
    # ids past int64 (or below 1, or not ASCII digits) in every id argument and option
    ("campaign-show", ["campaign", "show", INT64_PAST], f"CAMPAIGN_ID {IDS}"),
    ("campaign-open", ["campaign", "open", INT64_PAST], f"CAMPAIGN_ID {IDS}"),
    ("campaign-close", ["campaign", "close", INT64_PAST], f"CAMPAIGN_ID {IDS}"),
    ("campaign-results", ["campaign", "results", INT64_PAST], f"CAMPAIGN_ID {IDS}"),
    ("campaign-show-0", ["campaign", "show", "0"], f"CAMPAIGN_ID {IDS}"),
    ("campaign-show-superscript", ["campaign", "show", "²"], f"CAMPAIGN_ID {IDS}"),
    ("ideas-show", ["ideas", "show", INT64_PAST], "REF must be an idea code"),
    ("ideas-show-superscript", ["ideas", "show", "²"], "REF must be an idea code"),
    ("ideas-approve", ["ideas", "approve", INT64_PAST], "REF must be an idea code"),
    ("ideas-reject", ["ideas", "reject", INT64_PAST, "--reason", "r"], "REF must be an idea code"),
    (
        "ideas-answer",
        ["ideas", "answer", INT64_PAST, "--status", "accepted", "--text", "t"],
        "REF must be an idea code",
    ),
    (
        "ideas-restore-comment",
        ["ideas", "restore", "--comment", INT64_PAST],
        "REF must be an idea code",
    ),
    ("ideas-list-call", ["ideas", "list", "--call", INT64_PAST], f"--call {IDS}"),
    ("ideas-list-limit", ["ideas", "list", "--limit", INT64_PAST], f"--limit {LIMITS}"),
    ("contest-entries", ["contest", "entries", INT64_PAST], f"CONTEST_ID {IDS}"),
    ("contest-approve", ["contest", "approve", INT64_PAST], f"ENTRY_ID {IDS}"),
    ("contest-reject", ["contest", "reject", INT64_PAST, "--reason", "r"], f"ENTRY_ID {IDS}"),
    ("consultation-export", ["consultation", "export-text", INT64_PAST], f"CONSULTATION_ID {IDS}"),
    ("delivery-status", ["delivery", "status", INT64_PAST], f"BROADCAST_ID {IDS}"),
    ("delivery-status-limit", ["delivery", "status", "--limit", INT64_PAST], f"--limit {LIMITS}"),
    ("audit-limit", ["audit", "--limit", "0"], f"--limit {LIMITS}"),
    ("event-cancel", ["org", "event", "cancel", INT64_PAST, "--reason", "r"], f"EVENT_ID {IDS}"),
    ("threshold", [*CALL, "--threshold", INT64_PAST], "--threshold"),
    ("audience-org", [*POLL, "--audience", f"org:{INT64_PAST}"], INT64_PAST),
    (
        "broadcast-citizens",
        ["broadcast", "--audience", f"citizens:1,{INT64_PAST}", "--text", "Hi"],
        INT64_PAST,
    ),
    # text lengths
    ("as-200", ["--as", "x" * 200, "campaign", "open", "1"], "--as"),
    ("poll-description-100k", [*POLL, "--description", LONG], "--description"),
    ("idea-call-description-100k", [*CALL, "--description", LONG], "--description"),
    (
        "org-description-100k",
        ["org", "create", "--name", "N", "--slug", "nn", "--description", LONG],
        "--description",
    ),
    (
        "event-description-100k",
        [*EVENT, "--starts", f"{Y}-01-01T10:00", "--description", LONG],
        "--description",
    ),
    ("broadcast-text-100k", ["broadcast", "--audience", "all", "--text", LONG], "--text"),
    ("contest-reason-600", ["contest", "reject", "1", "--reason", "r" * 600], "--reason"),
    ("ideas-reason-600", ["ideas", "reject", "1", "--reason", "r" * 600], "--reason"),
    ("yaml-nul", ["consultation", "create", "--file", "@nul.yaml"], "nul.yaml:7"),
    ("yaml-raw-nul", ["consultation", "create", "--file", "@rawnul.yaml"], "rawnul.yaml:1"),
    ("yaml-description-100k", ["consultation", "create", "--file", "@long.yaml"], "long.yaml:9"),
    ("contest-problem-100k", ["contest", "create", "--file", "@problem.yaml"], "problem.yaml:2"),
    # files
    (
        "results-png-unwritable",
        [*RESULTS, "--format", "png", "--output", f"{NOWHERE}.png"],
        NOWHERE,
    ),
    (
        "results-csv-unwritable",
        [*RESULTS, "--format", "csv", "--output", f"{NOWHERE}.csv"],
        NOWHERE,
    ),
    ("results-into-a-folder", [*RESULTS, "--format", "json", "--output", "/"], "/"),
    ("ideas-export-unwritable", ["ideas", "export", "--output", f"{NOWHERE}.csv"], NOWHERE),
    ("logo-folder", ["org", "create", "--name", "N", "--slug", "logo", "--logo", "/"], "--logo"),
    ("yaml-not-utf8", ["consultation", "create", "--file", "@latin1.yaml"], "latin1.yaml"),
    ("yaml-folder", ["contest", "create", "--file", "/"], "/"),
    # what Click itself refuses is one line too
    ("not-a-number", ["campaign", "show", "abc"], f"CAMPAIGN_ID {IDS}"),
    ("unknown-option", ["campaign", "list", "--colour"], "--colour"),
    ("missing-option", ["poll", "create", "--option", "A"], "--question"),
]


def files(tmp_path: Path) -> dict[str, str]:
    return {
        "rawnul.yaml": write(tmp_path, "rawnul.yaml", "title: P\0ark\n"),
        "problem.yaml": write(
            tmp_path,
            "problem.yaml",
            contest(f"{Y}-01-01T09:00").replace("Empty at night", LONG),
        ),
        "year1.yaml": write(tmp_path, "year1.yaml", consultation(opens="0001-01-01T00:00")),
        "year9999.yaml": write(
            tmp_path, "year9999.yaml", consultation(closes="9999-12-31T23:59:00-12:00")
        ),
        "contest1.yaml": write(tmp_path, "contest1.yaml", contest("0001-01-01T00:00")),
        "nul.yaml": write(tmp_path, "nul.yaml", consultation(text='"Q\\0?"')),
        "long.yaml": write(
            tmp_path, "long.yaml", consultation() + "description: " + "d" * 100_000 + "\n"
        ),
        "latin1.yaml": write(tmp_path, "latin1.yaml", consultation(text="Café?").encode("latin-1")),
    }


@pytest.mark.parametrize(
    ("args", "mentions"), [c[1:] for c in BAD_INPUTS], ids=[c[0] for c in BAD_INPUTS]
)
def test_bad_cli_input_is_one_line_and_exit_2(admin, tmp_path, args, mentions):
    paths = files(tmp_path)
    argv = [paths[a[1:]] if a.startswith("@") else a for a in args]
    done = admin(*argv)
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert (done.returncode, len(lines)) == (2, 1), done.stderr[:2000]
    assert mentions.replace("@", "") in lines[0]
    assert lines[0].startswith("spilno-admin: ")


def test_an_endless_image_is_refused_while_it_is_read(sqlite_template, tmp_path):
    """`broadcast --image /dev/zero` read the whole stream before its 5 MB check: MemoryError.
    Run with 1 GiB of address space, so a regression fails fast instead of eating the machine."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPILNO_")}
    env.update(SPILNO_DATABASE_URL=sqlite_template.fresh(tmp_path), SPILNO_DEFAULT_LOCALE="en")

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    done = subprocess.run(
        [ADMIN, "broadcast", "--audience", "all", "--text", "Hi", "--image", "/dev/zero"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=limit_memory,
    )
    assert "Traceback" not in done.stderr
    assert (done.returncode, done.stderr.count("\n")) == (2, 1), done.stderr[-2000:]
    assert done.stderr.startswith("spilno-admin: --image: /dev/zero is larger than 5 MB")


@pytest.mark.parametrize(
    ("locale", "folder", "not_utf8"),
    [
        ("en", "it is a folder, not a file", "it is not UTF-8 text"),
        ("uk", "це тека, а не файл", "це не текст у UTF-8"),
    ],
)
def test_file_problems_follow_the_configured_language(
    admin, tmp_path, monkeypatch, locale, folder, not_utf8
):
    monkeypatch.setenv("SPILNO_DEFAULT_LOCALE", locale)
    logo = admin("org", "create", "--name", "N", "--slug", "logo", "--logo", "/")
    assert logo.stderr.startswith("spilno-admin: --logo: ") and folder in logo.stderr
    latin1 = files(tmp_path)["latin1.yaml"]
    yaml_file = admin("consultation", "create", "--file", latin1)
    assert latin1 in yaml_file.stderr and not_utf8 in yaml_file.stderr
    assert (logo.returncode, yaml_file.returncode) == (2, 2)
