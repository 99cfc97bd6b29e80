"""A hromada's profile file (YAML): validated with the line of every problem, as campaign
files are (core/campaigns/files.py); nothing is applied from a file with any error.

    name: {uk: Біла Церква, en: Bila Tserkva}
    timezone: Europe/Kyiv            # optional: unset = SPILNO_TIMEZONE
    districts:
      - {code: city, uk: Усе місто, en: Whole city}   # the whole-hromada tag, required
      - {code: center, uk: Центр, en: Center}
    topics:
      - {code: transport, uk: Транспорт, en: Transport}
"""

from __future__ import annotations

from core.campaigns.files import Lines, file_error, read_file
from core.hromadas.model import WHOLE_HROMADA, HromadaProfile
from core.hromadas.profile_schema import DistrictModel, ProfileModel, TopicModel


def parse_profile(text: str) -> HromadaProfile:
    """The profile a file describes, or a `CampaignFileError` naming line, field, problem."""
    model, lines = read_file(text, ProfileModel)
    _check_codes("districts", model.districts, lines)
    _check_codes("topics", model.topics, lines)
    _check_districts(model.districts, lines)
    return model.profile()


def _check_codes(field: str, entries: list[DistrictModel] | list[TopicModel], lines: Lines) -> None:
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        if entry.code in seen:
            raise file_error(lines, (field, index, "code"), "duplicate_code", {"value": entry.code})
        seen.add(entry.code)


def _check_districts(districts: list[DistrictModel], lines: Lines) -> None:
    by_code = {d.code: d for d in districts}
    whole = by_code.get(WHOLE_HROMADA)
    if whole is None:
        raise file_error(lines, ("districts",), "no_whole_hromada", {"value": WHOLE_HROMADA})
    index = districts.index(whole)
    if whole.parent is not None or whole.retired:
        raise file_error(
            lines, ("districts", index), "whole_hromada_fixed", {"value": WHOLE_HROMADA}
        )
    for index, district in enumerate(districts):
        if district.parent is None:
            continue
        where = ("districts", index, "parent")
        parent = by_code.get(district.parent)
        if parent is None or parent.code in (district.code, WHOLE_HROMADA):
            raise file_error(lines, where, "unknown_parent", {"value": district.parent})
        if parent.parent is not None:
            # One level: starosta districts inside a district, not deeper (and so no cycles).
            raise file_error(lines, where, "nested_parent", {"value": district.parent})
        if parent.retired and not district.retired:
            raise file_error(lines, where, "retired_parent", {"value": district.parent})
