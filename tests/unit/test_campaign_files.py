"""Consultation and contest files: valid examples parse; every error names line, field, problem."""

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from core.consultations.model import QuestionType
from core.consultations.plan import parse_consultation
from core.contests.plan import parse_contest
from core.kernel.errors import CampaignFileError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
KYIV = ZoneInfo("Europe/Kyiv")
CONSULTATION = (EXAMPLES / "consultation.yaml").read_text(encoding="utf-8")
CONTEST = (EXAMPLES / "contest.yaml").read_text(encoding="utf-8")


def line_of(text: str, fragment: str) -> int:
    return next(i for i, row in enumerate(text.splitlines(), 1) if fragment in row)


def test_the_example_consultation_parses_with_city_time_and_a_skip_rule():
    plan = parse_consultation(CONSULTATION, tz=KYIV)
    assert [q.type for q in plan.questions] == [
        QuestionType.SINGLE,
        QuestionType.TEXT,
        QuestionType.MULTIPLE,
        QuestionType.SCALE,
        QuestionType.TEXT,
    ]
    assert plan.opens_at.utcoffset().total_seconds() == 2 * 3600  # Kyiv winter time
    assert plan.questions[1].skip_if.answer == "Щотижня"
    assert plan.questions[2].max_choices == 2
    assert [q.required for q in plan.questions] == [True, True, True, True, False]
    assert (plan.reminders, plan.send_results) == ("24h,2h", True)


def test_the_example_contest_parses_with_its_phases():
    plan = parse_contest(CONTEST, tz=KYIV)
    assert plan.submissions_close_at < plan.voting_opens_at < plan.voting_close_at
    assert (plan.votes_per_resident, plan.winners, plan.premoderation) == (3, 3, True)
    assert (plan.reminders, plan.send_results) == ("24h", True)


def test_files_without_delivery_fields_remind_nobody_and_send_results():
    consultation = CONSULTATION.replace("reminders: 24h,2h", "").replace("send_results: true", "")
    contest = CONTEST.replace("reminders: 24h", "").replace("send_results: true", "")
    for plan in (parse_consultation(consultation, tz=KYIV), parse_contest(contest, tz=KYIV)):
        assert (plan.reminders, plan.send_results) == ("", True)


@pytest.mark.parametrize(
    ("change", "fragment", "field", "problem"),
    [
        (("type: scale", "type: stars"), "type: stars", "questions[4].type", "literal_error"),
        (("max: 2", "max: 7"), "key: priorities", "questions[3]", "value_error"),
        (
            ("answer: Щотижня", "answer: Щодня"),
            "skip_if:",
            "questions[2].skip_if",
            "skip_unknown_answer",
        ),
        (
            ("question: visits", "question: ideas"),
            "skip_if:",
            "questions[2].skip_if",
            "skip_unknown_question",
        ),
        (("key: why_not", "key: visits  # again"), "# again", "questions[2]", "duplicate_key"),
        (
            ("max_length: 500", "max_length: many"),
            "max_length: many",
            "questions[2].max_length",
            "int_parsing",
        ),
        (("audience: all ", "audience: planet "), "title:", "", "value_error"),
        (
            ("closes: 2026-12-20T21:00", "closes: 2026-11-20T21:00"),
            "closes:",
            "closes",
            "closes_before_opens",
        ),
        (("scale: 1-5", "scale: 1-7"), "scale: 1-7", "questions[4].scale", "literal_error"),
        (
            ("required: false", "required: maybe"),
            "required: maybe",
            "questions[5].required",
            "bool_type",
        ),
        (("reminders: 24h,2h", "reminders: soon"), "reminders: soon", "reminders", "value_error"),
        (
            ("reminders: 24h,2h", "reminders: 1h,2h,3h,4h,5h,6h"),
            "reminders:",
            "reminders",
            "value_error",
        ),
        (("send_results: true", "send_results: 1"), "send_results:", "send_results", "bool_type"),
    ],
)
def test_a_consultation_error_points_at_its_line_and_field(change, fragment, field, problem):
    text = CONSULTATION.replace(*change)
    with pytest.raises(CampaignFileError) as caught:
        parse_consultation(text, tz=KYIV)
    error = caught.value
    assert (error.params["line"], error.params["field"], error.reason) == (
        line_of(text, fragment),
        field,
        problem,
    )


def test_a_missing_field_points_at_its_parent_and_a_typo_at_itself():
    with pytest.raises(CampaignFileError) as caught:
        parse_consultation(CONSULTATION.replace("    text: Як часто", "    txt: Як часто"), tz=KYIV)
    assert caught.value.params["field"] == "questions[1].text"
    assert caught.value.reason == "missing"
    assert caught.value.params["line"] == line_of(CONSULTATION, "key: visits")


def test_broken_yaml_reports_the_line_of_the_syntax_error():
    text = CONSULTATION.replace("options: [Щотижня,", "options: [Щотижня,,")
    text = text.replace("Ніколи]", "Ніколи")
    with pytest.raises(CampaignFileError) as caught:
        parse_consultation(text, tz=KYIV)
    assert caught.value.reason == "yaml_syntax"
    assert caught.value.params["line"] >= line_of(text, "options: [Щотижня")


def test_contest_phases_out_of_order_are_refused():
    text = CONTEST.replace("opens: 2026-12-16T09:00", "opens: 2026-12-10T09:00")
    with pytest.raises(CampaignFileError) as caught:
        parse_contest(text, tz=KYIV)
    assert (caught.value.reason, caught.value.params["field"]) == ("phases_out_of_order", "voting")


def test_contest_votes_per_resident_must_be_positive():
    text = CONTEST.replace("votes_per_resident: 3", "votes_per_resident: 0")
    with pytest.raises(CampaignFileError) as caught:
        parse_contest(text, tz=KYIV)
    assert caught.value.params["field"] == "votes_per_resident"
    assert caught.value.params["line"] == line_of(text, "votes_per_resident: 0")
