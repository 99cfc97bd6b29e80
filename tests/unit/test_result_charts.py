"""Every chart type renders a real, readable PNG (not an empty canvas)."""

import io
from datetime import UTC, datetime

import pytest

from core.campaigns.charts import Bar, bar_chart_png
from core.campaigns.model import Campaign, CampaignKind, CampaignStatus, ResultsVisibility
from core.consultations.charts import consultation_charts
from core.consultations.model import (
    Consultation,
    Question,
    QuestionSpec,
    QuestionType,
    compute_results,
)
from core.contests.charts import contest_chart
from core.contests.model import Contest, ContestPhase, Entry, EntryStatus, rank
from core.contests.service import ContestResults

matplotlib = pytest.importorskip("matplotlib")
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def campaign(kind: CampaignKind) -> Campaign:
    return Campaign(
        1, kind, "Оновлення парку", "", CampaignStatus.CLOSED, None, None,
        ResultsVisibility.AFTER_CLOSE, NOW, "m",
    )  # fmt: skip


def assert_readable_png(png: bytes, *, min_width: int = 600) -> None:
    from PIL import Image

    assert png.startswith(b"\x89PNG")
    image = Image.open(io.BytesIO(png)).convert("RGB")
    width, height = image.size
    assert width >= min_width and height >= 250
    colours = image.getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 50  # text, bars, antialiasing: not blank


def test_a_bar_chart_is_a_non_trivial_png():
    png = bar_chart_png("Питання", [Bar("Так", 7, 70.0), Bar("Ні", 3, 30.0)], caption="10")
    assert_readable_png(png)


def test_one_chart_per_choice_question_of_a_consultation_and_none_for_free_text():
    specs = [
        QuestionSpec("a", "Як часто?", QuestionType.SINGLE, options=("Часто", "Рідко")),
        QuestionSpec("b", "Що?", QuestionType.MULTIPLE, options=("X", "Y", "Z"), max_choices=2),
        QuestionSpec("c", "Оцінка", QuestionType.SCALE, scale_min=0, scale_max=10),
        QuestionSpec("d", "Ідеї", QuestionType.TEXT),
    ]
    questions = [Question(i + 10, i + 1, spec) for i, spec in enumerate(specs)]
    consultation = Consultation(campaign(CampaignKind.CONSULTATION), questions)
    rows = [(10, 0, 3), (10, 1, 1), (11, 0b011, 2), (11, 0b100, 2), (12, 7, 4), (13, None, 4)]
    outcome = compute_results(consultation, rows, submissions=4)
    assert [c.count for c in outcome.questions[1].choices] == [2, 2, 2]
    charts = consultation_charts(outcome)
    assert [position for position, _png in charts] == [1, 2, 3]
    for _position, png in charts:
        assert_readable_png(png)


def test_a_contest_chart_ranks_entries_and_marks_winners():
    contest = Contest(
        campaign(CampaignKind.CONTEST), ContestPhase.FINISHED, NOW, NOW, 3, 1, 1, False
    )
    entries = [
        Entry(i, 1, 100 + i, f"Ідея {i}", "", None, EntryStatus.APPROVED, NOW) for i in range(4)
    ]
    ranked = rank([(e, votes) for e, votes in zip(entries, [2, 9, 0, 9], strict=True)], 1)
    assert [(r.rank, r.entry.id, r.winner) for r in ranked] == [
        (1, 1, True), (1, 3, True), (3, 0, False), (4, 2, False)
    ]  # fmt: skip
    assert_readable_png(contest_chart(ContestResults(contest, ranked, voters=7)))


@pytest.mark.parametrize(("locale", "label"), [("uk", "2 (66,7%)"), ("en", "2 (66.7%)")])
def test_chart_numbers_use_the_language_s_decimal_mark_like_the_chat(locale, label):
    from core.campaigns.charts import bar_chart_figure
    from core.kernel import i18n

    with i18n.use_locale(locale):
        figure = bar_chart_figure("Питання", [Bar("Так", 2, 66.7), Bar("Ні", 1, 33.3)])

    assert figure.axes[0].texts[0].get_text() == label
