import pytest

from core.ideas import similarity
from core.ideas.model import (
    COMMENT_MAX,
    TITLE_MAX,
    NewIdea,
    format_code,
    parse_code,
    reached_threshold,
    validate_comment,
    validate_description,
    validate_new_idea,
    validate_title,
)
from core.kernel.errors import ValidationError


def reason_of(call, *args):
    with pytest.raises(ValidationError) as caught:
        call(*args)
    return caught.value.reason, caught.value.params


def test_codes_read_like_id_year_sequence_and_parse_back():
    assert format_code(2026, 42) == "ID-2026-0042"
    assert format_code(2026, 12345) == "ID-2026-12345"
    assert parse_code("id-2026-0042") == (2026, 42)
    assert parse_code("2026-42") is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("   ", "text_empty"),
        ("x" * (TITLE_MAX + 1), "text_too_long"),
        ("🌳🌳🌳 !!!", "text_no_words"),
        ("Дивіться https://spam.example", "text_has_link"),
        ("Лавки тут: t.me/somechannel", "text_has_link"),
        ("Знижки на shop.com", "text_has_link"),
    ],
)
def test_a_bad_title_is_refused_with_a_specific_reason(text, reason):
    assert reason_of(validate_title, text)[0] == reason


def test_a_too_long_title_reports_its_length_and_the_limit():
    _reason, params = reason_of(validate_title, "я" * 130)
    assert params == {"field": "title", "max": TITLE_MAX, "length": 130}


def test_a_description_may_carry_a_link_but_a_comment_may_not():
    assert validate_description("Схема: https://maps.example/park").startswith("Схема")
    assert reason_of(validate_comment, "Гляньте www.example.org")[0] == "text_has_link"
    assert reason_of(validate_comment, "а" * (COMMENT_MAX + 1))[0] == "text_too_long"


def test_text_is_trimmed_and_emoji_with_words_is_fine():
    assert validate_title("  🌳 Більше дерев на Заріччі  ") == "🌳 Більше дерев на Заріччі"


def test_a_new_idea_needs_a_known_topic_and_district_and_a_whole_location():
    base = dict(author_id=1, title="Лавки", description="У парку мало лавок")
    assert reason_of(validate_new_idea, NewIdea(**base, topic="x", district="city"))[0] == (
        "unknown_topic"
    )
    assert reason_of(validate_new_idea, NewIdea(**base, topic="greenery", district="x"))[0] == (
        "unknown_district"
    )
    half = NewIdea(**base, topic="greenery", district="city", latitude=49.8)
    assert reason_of(validate_new_idea, half)[0] == "location_incomplete"


def test_the_threshold_is_reached_at_exactly_the_threshold():
    assert not reached_threshold(99, 100)
    assert reached_threshold(100, 100)


def test_similar_titles_score_high_despite_word_endings_and_unrelated_ones_zero():
    title = "Посадити дерева у сквері над Россю"
    text = title + " Пропоную висадити липи вздовж алеї"
    alike = similarity.score(
        title,
        text,
        "Висадити дерева в сквері над Россю",
        similarity.keywords("Висадити дерева в сквері над Россю", ""),
    )
    unrelated = similarity.score(
        title, text, "Ремонт дороги на Заріччі", similarity.keywords("Ремонт дороги", "Ями")
    )
    assert alike > 0.5
    assert unrelated == 0.0


def test_keywords_are_space_delimited_stems_without_stop_words():
    assert similarity.keywords("Дерева для скверу", "") == " дерев сквер "
