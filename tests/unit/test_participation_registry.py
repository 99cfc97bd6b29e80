"""The participation registry lists every table that refers to a citizen, and every kind."""

from __future__ import annotations

from sqlalchemy.sql.selectable import SelectBase

from core.campaigns.model import CampaignKind
from core.storage.merging import RULES
from core.storage.participation import (
    CITIZEN_REFERENCES,
    PARTICIPANTS,
    OnMerge,
    participants_query,
)
from core.storage.schema import metadata


def citizen_columns_in_the_schema() -> set[tuple[str, str]]:
    return {
        (table.name, fk.parent.name)
        for table in metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.column.table.name == "citizens"
    }


def test_every_column_that_refers_to_a_citizen_says_how_it_is_merged_and_forgotten():
    listed = [(ref.table, ref.column) for ref in CITIZEN_REFERENCES]
    assert len(listed) == len(set(listed)), "a column is listed twice"
    assert set(listed) == citizen_columns_in_the_schema()


def test_every_campaign_kind_says_who_took_part():
    assert set(PARTICIPANTS) == {kind.value for kind in CampaignKind}
    for kind in CampaignKind:
        query = participants_query(kind.value, 1)
        assert isinstance(query, SelectBase)
        assert len(query.selected_columns) == 1


def test_an_unknown_kind_has_no_participants():
    query = participants_query("no-such-kind", 1)
    assert "false" in str(query).lower() or "0 = 1" in str(query)


def test_every_merge_rule_is_carried_out_and_every_key_names_real_columns():
    # A new OnMerge value without an implementation would fail the first real merge.
    assert set(RULES) == set(OnMerge)
    for ref in CITIZEN_REFERENCES:
        columns = set(metadata.tables[ref.table].c.keys())
        assert ref.column in columns
        assert set(ref.key) <= columns, ref
        if ref.on_merge is OnMerge.KEEP_SURVIVORS:
            assert ref.key, f"{ref.table}: which rows are duplicates?"
        if ref.on_merge is OnMerge.RENUMBER:
            assert ref.renumbered in columns, ref
