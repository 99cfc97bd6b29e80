"""hromada profiles: names, settings, districts and topics per hromada, in the database
(issue 18). Hromada 1 gets the districts and topics that were constants
(core/hromadas/taxonomy.py) with their Ukrainian names from the catalog; its settings stay
unset, so SPILNO_TIMEZONE, _DEFAULT_LOCALE, _IDEAS_SUPPORT_THRESHOLD, _QUIET_HOURS and
_DIGEST_HOUR keep applying as defaults.

Revision ID: 0019_profile
Revises: 0018_tenancy
Create Date: 2026-11-30
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0019_profile"
down_revision: str | Sequence[str] | None = "0018_tenancy"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TABLES = ("hromada_profiles", "hromada_districts", "hromada_topics")

# As they were on the release before (frozen here: later edits to the code do not change
# what this migration wrote).
DISTRICTS = (
    ("city", "Усе місто", "Whole city"),
    ("center", "Центр", "Center"),
    ("zarichchia", "Заріччя", "Zarichchia"),
    ("rotok", "Роток", "Rotok"),
    ("hayok", "Гайок", "Hayok"),
    ("pishchanyi", "Піщаний", "Pishchanyi"),
)
TOPICS = (
    ("transport", "Транспорт", "Transport"),
    ("greenery", "Парки й озеленення", "Parks and greenery"),
    ("roads", "Дороги й тротуари", "Roads and sidewalks"),
    ("housing", "Житло і комунальні послуги", "Housing and utilities"),
    ("education", "Освіта", "Education"),
    ("health", "Здоров'я", "Health"),
    ("culture", "Культура і спорт", "Culture and sport"),
    ("safety", "Безпека", "Safety"),
    ("social", "Соціальна підтримка", "Social support"),
    ("other", "Інше", "Other"),
)


def _hromada_id(table: str) -> sa.Column:
    return sa.Column(
        "hromada_id",
        BIG_ID,
        sa.ForeignKey(
            "hromadas.id", name=op.f(f"fk_{table}_hromada_id_hromadas"), ondelete="CASCADE"
        ),
        nullable=False,
    )


def upgrade() -> None:
    profiles = op.create_table(
        "hromada_profiles",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        _hromada_id("hromada_profiles"),
        sa.Column("name_uk", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("default_locale", sa.String(length=8), nullable=True),
        sa.Column("ideas_support_threshold", sa.Integer(), nullable=True),
        sa.Column("quiet_hours", sa.String(length=16), nullable=True),
        sa.Column("digest_hour", sa.Integer(), nullable=True),
        sa.Column("welcome_uk", sa.Text(), nullable=True),
        sa.Column("welcome_en", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hromada_profiles")),
        sa.UniqueConstraint("hromada_id", name=op.f("uq_hromada_profiles_hromada_id")),
    )
    districts = op.create_table(
        "hromada_districts",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        _hromada_id("hromada_districts"),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name_uk", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.Column("parent_code", sa.String(length=32), nullable=True),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hromada_districts")),
        sa.UniqueConstraint("hromada_id", "code", name=op.f("uq_hromada_districts_hromada_id_code")),
    )
    topics = op.create_table(
        "hromada_topics",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        _hromada_id("hromada_topics"),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name_uk", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hromada_topics")),
        sa.UniqueConstraint("hromada_id", "code", name=op.f("uq_hromada_topics_hromada_id_code")),
    )
    for table in TABLES:
        op.create_index(op.f(f"ix_{table}_hromada_id"), table, ["hromada_id"])
    if op.get_bind().dialect.name == "postgresql":
        from core.hromadas.rls import enable_statements

        for table in TABLES:
            for statement in enable_statements(table):
                op.execute(statement)
    if op.get_bind().execute(sa.text("SELECT 1 FROM hromadas WHERE id = 1")).first() is None:
        return  # a database without hromada 1 (emptied by hand): nothing to seed
    op.bulk_insert(
        profiles,
        [
            {
                "hromada_id": 1,
                "name_uk": "Біла Церква",
                "name_en": "Bila Tserkva",
                "updated_at": datetime.now(UTC),
            }
        ],
    )
    op.bulk_insert(
        districts,
        [
            {"hromada_id": 1, "code": code, "name_uk": uk, "name_en": en, "parent_code": None,
             "retired": False, "position": i}
            for i, (code, uk, en) in enumerate(DISTRICTS)
        ],
    )  # fmt: skip
    op.bulk_insert(
        topics,
        [
            {"hromada_id": 1, "code": code, "name_uk": uk, "name_en": en, "retired": False,
             "position": i}
            for i, (code, uk, en) in enumerate(TOPICS)
        ],
    )  # fmt: skip


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
