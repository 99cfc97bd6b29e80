"""tenancy: every hromada-owned table gets its hromada_id (the data already here: hromada 1),
uniques that were global become per hromada, and PostgreSQL's row-level security keeps each
hromada's rows to its own transactions (issue 18)

Revision ID: 0018_tenancy
Revises: 0017_hromadas

On PostgreSQL the upgrade also creates the NOLOGIN role `spilno_tenant` (when the migrating user
may) and grants it the tables: superusers and BYPASSRLS users skip row-level security, so units
of work of such users switch to that role per transaction (core/storage/tenancy.py).

On SQLite, batch mode copies each table; with foreign keys on, dropping the old copy of a
parent table would cascade to its children (an implicit DELETE), so the upgrade runs with them
off and checks them before turning them back on.

Create Date: 2026-11-30
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

from core.storage.migration_helpers import sqlite_foreign_keys_off

revision: str = "0018_tenancy"
down_revision: str | Sequence[str] | None = "0017_hromadas"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TENANT_ROLE = "spilno_tenant"

# Parents before children (the downgrade deletes other hromadas' rows children first).
OWNED = (
    "citizens", "campaigns", "organizations", "audit_log", "audit_head", "broadcasts",
    "idea_code_counters", "processed_updates", "identities", "link_codes", "link_code_failures",
    "subscriptions", "outbox", "official_roles", "org_followers", "org_channels", "org_events",
    "event_rsvps", "event_reminders_sent", "org_news",
    "polls", "poll_options", "ballots", "ballot_choices",
    "idea_calls", "ideas", "idea_supports", "idea_comments", "idea_reports",
    "consultations", "consultation_questions", "consultation_responses", "consultation_answers",
    "contests", "contest_entries", "contest_votes", "contest_participants",
    "pbs", "pb_pots", "pb_projects", "pb_ballots", "pb_selections", "pb_votes", "pb_milestones",
    "petitions", "petition_signatures",
)  # fmt: skip

# Global uniques that become per hromada: table -> [(old name, new name, columns)].
UNIQUES = {
    "citizens": [("uq_citizens_phone_hash", ["phone_hash"])],
    "identities": [("uq_identities_platform_external_id", ["platform", "external_id"])],
    "broadcasts": [("uq_broadcasts_dedupe_key", ["dedupe_key"])],
    "audit_log": [("uq_audit_log_seq", ["seq"]), ("uq_audit_log_hash", ["hash"])],
    "ideas": [("uq_ideas_code", ["code"])],
    "official_roles": [
        ("uq_official_roles_official_role_scope", ["official", "role", "scope"])
    ],
    "organizations": [("uq_organizations_slug", ["slug"])],
}
# Tables keyed by natural values two hromadas share: hromada_id leads the new key.
KEYS = {
    "processed_updates": ["platform", "update_id"],
    "idea_code_counters": ["year"],
}


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    with sqlite_foreign_keys_off():
        for table in OWNED:
            _add_hromada(table)
    if not _sqlite():
        _tenant_role_and_grants()
        for table in OWNED:
            for statement in _rls_enable(table):
                op.execute(statement)


def _add_hromada(table: str) -> None:
    with op.batch_alter_table(table) as batch:
        batch.add_column(sa.Column("hromada_id", BIG_ID, nullable=True))
    op.execute(f"UPDATE {table} SET hromada_id = 1")
    with op.batch_alter_table(table) as batch:
        batch.alter_column("hromada_id", existing_type=BIG_ID, nullable=False)
        batch.create_foreign_key(
            f"fk_{table}_hromada_id_hromadas", "hromadas", ["hromada_id"], ["id"], ondelete="CASCADE"
        )
        for old, columns in UNIQUES.get(table, []):
            batch.drop_constraint(old, type_="unique")
            batch.create_unique_constraint(
                f"uq_{table}_hromada_id_{'_'.join(columns)}", ["hromada_id", *columns]
            )
        if table in KEYS:
            batch.drop_constraint(f"pk_{table}", type_="primary")
            batch.create_primary_key(f"pk_{table}", ["hromada_id", *KEYS[table]])
        elif table == "audit_head":  # one head per hromada, keyed by it
            batch.drop_constraint("pk_audit_head", type_="primary")
            batch.drop_column("id")
            batch.create_primary_key("pk_audit_head", ["hromada_id"])
        else:
            batch.create_index(f"ix_{table}_hromada_id", ["hromada_id"])


def downgrade() -> None:
    if not _sqlite():
        for table in OWNED:
            for statement in _rls_disable(table):
                op.execute(statement)
        _revoke_grants()
    with sqlite_foreign_keys_off():
        # The previous release knew one hromada: the others' rows cannot go back.
        for table in reversed(OWNED):
            op.execute(f"DELETE FROM {table} WHERE hromada_id <> 1")
        op.execute("DELETE FROM hromadas WHERE id <> 1")
        for table in reversed(OWNED):
            _drop_hromada(table)


def _drop_hromada(table: str) -> None:
    with op.batch_alter_table(table) as batch:
        if table in KEYS:
            batch.drop_constraint(f"pk_{table}", type_="primary")
            batch.create_primary_key(f"pk_{table}", KEYS[table])
        elif table == "audit_head":
            batch.drop_constraint("pk_audit_head", type_="primary")
            batch.add_column(sa.Column("id", sa.Integer(), nullable=True))
        else:
            batch.drop_index(f"ix_{table}_hromada_id")
        for old, columns in UNIQUES.get(table, []):
            batch.drop_constraint(f"uq_{table}_hromada_id_{'_'.join(columns)}", type_="unique")
            batch.create_unique_constraint(old, columns)
        batch.drop_constraint(f"fk_{table}_hromada_id_hromadas", type_="foreignkey")
    if table == "audit_head":
        op.execute("UPDATE audit_head SET id = 1")
    with op.batch_alter_table(table) as batch:
        batch.drop_column("hromada_id")
        if table == "audit_head":
            batch.alter_column("id", existing_type=sa.Integer(), nullable=False)
            batch.create_primary_key("pk_audit_head", ["id"])


# Row-level security (PostgreSQL). The statements are copied from core/hromadas/rls.py as they
# are today: a migration must not change when the code it shipped with does.
_HROMADA_SETTING = "spilno.hromada_id"
_OPERATOR_SETTING = "spilno.operator"
_POLICY = "hromada_isolation"
_CONDITION = (
    f"hromada_id = NULLIF(current_setting('{_HROMADA_SETTING}', true), '')::bigint "
    f"OR current_setting('{_OPERATOR_SETTING}', true) = 'on'"
)


def _rls_enable(table: str) -> list[str]:
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY {_POLICY} ON {table} USING ({_CONDITION}) WITH CHECK ({_CONDITION})",
    ]


def _rls_disable(table: str) -> list[str]:
    return [
        f"DROP POLICY IF EXISTS {_POLICY} ON {table}",
        f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY",
    ]


def _tenant_role_and_grants() -> None:
    # Roles are per cluster: another database (or a parallel migration) may have created it.
    # A user who may not create roles gets a notice, and relies on not bypassing RLS itself.
    op.execute(f"""
DO $$
BEGIN
    BEGIN
        CREATE ROLE {TENANT_ROLE} NOLOGIN;
    EXCEPTION
        WHEN duplicate_object OR unique_violation THEN NULL;
        WHEN insufficient_privilege THEN
            RAISE NOTICE 'cannot create role {TENANT_ROLE}: %', SQLERRM;
            RETURN;
    END;
    BEGIN
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO {TENANT_ROLE}', current_schema());
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I '
                       'TO {TENANT_ROLE}', current_schema());
        EXECUTE format('GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA %I '
                       'TO {TENANT_ROLE}', current_schema());
        -- Tables later migrations create get the same rights.
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, '
                       'DELETE ON TABLES TO {TENANT_ROLE}', current_schema());
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT, UPDATE '
                       'ON SEQUENCES TO {TENANT_ROLE}', current_schema());
    EXCEPTION WHEN insufficient_privilege THEN
        RAISE NOTICE 'cannot grant {TENANT_ROLE} the tables: %', SQLERRM;
        RETURN;
    END;
    -- A BYPASSRLS user that is no superuser must be a member to SET ROLE.
    IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        BEGIN
            EXECUTE format('GRANT {TENANT_ROLE} TO %I', current_user);
        EXCEPTION WHEN OTHERS THEN
            RAISE NOTICE 'cannot grant {TENANT_ROLE} to %: %', current_user, SQLERRM;
        END;
    END IF;
END
$$""")


def _revoke_grants() -> None:
    op.execute(f"""
DO $$
BEGIN
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I REVOKE ALL ON TABLES '
                   'FROM {TENANT_ROLE}', current_schema());
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I REVOKE ALL ON SEQUENCES '
                   'FROM {TENANT_ROLE}', current_schema());
    EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM {TENANT_ROLE}', current_schema());
    EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I FROM {TENANT_ROLE}',
                   current_schema());
    EXECUTE format('REVOKE USAGE ON SCHEMA %I FROM {TENANT_ROLE}', current_schema());
EXCEPTION WHEN undefined_object OR insufficient_privilege THEN NULL;
END
$$""")
