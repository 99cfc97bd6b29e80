"""Row-level security on PostgreSQL: a hromada-owned table shows and accepts only the rows of
the hromada its transaction is scoped to, so a query that forgot its filter fails closed.

The unit of work sets `spilno.hromada_id` per transaction (set_config(..., true)); processes
that work across hromadas (the delivery worker's claim, operator commands) set
`spilno.operator` to 'on' instead. Migrations call `enable_statements` for each table they
give a `hromada_id`.
"""

from __future__ import annotations

HROMADA_SETTING = "spilno.hromada_id"
OPERATOR_SETTING = "spilno.operator"
POLICY = "hromada_isolation"

# current_setting(..., true) is NULL when unset: then no row matches (fails closed).
_CONDITION = (
    f"hromada_id = NULLIF(current_setting('{HROMADA_SETTING}', true), '')::bigint "
    f"OR current_setting('{OPERATOR_SETTING}', true) = 'on'"
)


def enable_statements(table: str) -> list[str]:
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        # FORCE: the table's owner (the role migrations and the app may share) obeys it too.
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY {POLICY} ON {table} USING ({_CONDITION}) WITH CHECK ({_CONDITION})",
    ]


def disable_statements(table: str) -> list[str]:
    return [
        f"DROP POLICY IF EXISTS {POLICY} ON {table}",
        f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY",
    ]
