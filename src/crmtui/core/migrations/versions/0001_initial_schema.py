"""Initial schema: people, companies, deals, interactions, tasks, tags, search indexes."""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

SEARCHED_TABLES = ("contact", "company", "deal")
DEFAULT_STAGES = [
    ("Lead", 10, "open"),
    ("Qualified", 25, "open"),
    ("Proposal", 50, "open"),
    ("Negotiation", 75, "open"),
    ("Won", 100, "won"),
    ("Lost", 0, "lost"),
]


revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pipeline",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("name_key", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name_key"),
    )
    op.create_table(
        "tag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("name_key", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name_key"),
    )
    op.create_table(
        "user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("email", sa.String(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "company",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("name_key", sa.String(), nullable=False),
        sa.Column("domain", sa.String(), nullable=True),
        sa.Column("industry", sa.String(), nullable=True),
        sa.Column("size", sa.String(), nullable=True),
        sa.Column("street", sa.String(), nullable=True),
        sa.Column("city", sa.String(), nullable=True),
        sa.Column("region", sa.String(), nullable=True),
        sa.Column("postal_code", sa.String(), nullable=True),
        sa.Column("country", sa.String(), nullable=True),
        sa.Column("website", sa.String(), nullable=True),
        sa.Column("notes", sa.String(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("custom_fields", sa.JSON(), nullable=False),
        sa.Column("search_text", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name_key"),
    )
    with op.batch_alter_table("company", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_company_domain"), ["domain"], unique=False)
        batch_op.create_index(batch_op.f("ix_company_owner_id"), ["owner_id"], unique=False)
    op.create_table(
        "stage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pipeline_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("name_key", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("probability", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["pipeline_id"], ["pipeline.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("pipeline_id", "name_key"),
    )
    with op.batch_alter_table("stage", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stage_pipeline_id"), ["pipeline_id"], unique=False)
    op.create_table(
        "company_tag",
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["company.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tag_id"], ["tag.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("company_id", "tag_id"),
    )
    with op.batch_alter_table("company_tag", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_company_tag_tag_id"), ["tag_id"], unique=False)
    op.create_table(
        "contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("first_name", sa.String(), nullable=False),
        sa.Column("last_name", sa.String(), nullable=False),
        sa.Column("display_name", sa.String(), nullable=False),
        sa.Column("sort_key", sa.String(), nullable=False),
        sa.Column("email", sa.String(), nullable=True),
        sa.Column("phone", sa.String(), nullable=True),
        sa.Column("job_title", sa.String(), nullable=True),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("birthday_year", sa.Integer(), nullable=True),
        sa.Column("birthday_month", sa.Integer(), nullable=True),
        sa.Column("birthday_day", sa.Integer(), nullable=True),
        sa.Column("street", sa.String(), nullable=True),
        sa.Column("city", sa.String(), nullable=True),
        sa.Column("region", sa.String(), nullable=True),
        sa.Column("postal_code", sa.String(), nullable=True),
        sa.Column("country", sa.String(), nullable=True),
        sa.Column("website", sa.String(), nullable=True),
        sa.Column("notes", sa.String(), nullable=True),
        sa.Column("source", sa.String(), nullable=True),
        sa.Column("lifecycle_stage", sa.String(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("email_consent", sa.String(), nullable=False),
        sa.Column("consent_at", sa.DateTime(), nullable=True),
        sa.Column("consent_source", sa.String(), nullable=True),
        sa.Column("do_not_contact", sa.Boolean(), nullable=False),
        sa.Column("custom_fields", sa.JSON(), nullable=False),
        sa.Column("last_contacted_at", sa.DateTime(), nullable=True),
        sa.Column("search_text", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["company.id"],
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_company_id"), ["company_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contact_created_at"), ["created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_contact_last_contacted_at"), ["last_contacted_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_contact_lifecycle_stage"), ["lifecycle_stage"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_contact_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index("ix_contact_sort_key_id", ["sort_key", "id"], unique=False)
    op.create_table(
        "contact_email",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(), nullable=False),
        sa.Column("email_key", sa.String(), nullable=False),
        sa.Column("label", sa.String(), nullable=True),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email_key"),
    )
    with op.batch_alter_table("contact_email", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contact_email_contact_id"), ["contact_id"], unique=False
        )
    op.create_table(
        "contact_phone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(), nullable=False),
        sa.Column("phone_key", sa.String(), nullable=False),
        sa.Column("label", sa.String(), nullable=True),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("contact_phone", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contact_phone_contact_id"), ["contact_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_contact_phone_phone_key"), ["phone_key"], unique=False)
    op.create_table(
        "contact_tag",
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tag_id"], ["tag.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("contact_id", "tag_id"),
    )
    with op.batch_alter_table("contact_tag", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_tag_tag_id"), ["tag_id"], unique=False)
    op.create_table(
        "deal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("pipeline_id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("amount_units", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(), nullable=False),
        sa.Column("expected_close", sa.Date(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("lost_reason", sa.String(), nullable=True),
        sa.Column("stage_entered_at", sa.DateTime(), nullable=False),
        sa.Column("notes", sa.String(), nullable=True),
        sa.Column("search_text", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["company.id"],
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["pipeline_id"],
            ["pipeline.id"],
        ),
        sa.ForeignKeyConstraint(
            ["stage_id"],
            ["stage.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deal_closed_at"), ["closed_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_deal_company_id"), ["company_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_deal_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_deal_created_at"), ["created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_deal_expected_close"), ["expected_close"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_deal_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_deal_stage_id"), ["stage_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_deal_status"), ["status"], unique=False)
    op.create_table(
        "deal_stage_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("from_stage_id", sa.Integer(), nullable=True),
        sa.Column("to_stage_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["deal_id"], ["deal.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["from_stage_id"],
            ["stage.id"],
        ),
        sa.ForeignKeyConstraint(
            ["to_stage_id"],
            ["stage.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("deal_stage_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_deal_stage_change_changed_at"), ["changed_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_deal_stage_change_deal_id"), ["deal_id"], unique=False)
    op.create_table(
        "deal_tag",
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["deal_id"], ["deal.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tag_id"], ["tag.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("deal_id", "tag_id"),
    )
    with op.batch_alter_table("deal_tag", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deal_tag_tag_id"), ["tag_id"], unique=False)
    op.create_table(
        "interaction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("direction", sa.String(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("duration_seconds", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("body", sa.String(), nullable=True),
        sa.Column("outcome", sa.String(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["deal_id"],
            ["deal.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("interaction", schema=None) as batch_op:
        batch_op.create_index(
            "ix_interaction_contact_occurred", ["contact_id", "occurred_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_interaction_deal_id"), ["deal_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_interaction_occurred_at"), ["occurred_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_interaction_user_id"), ["user_id"], unique=False)
    op.create_table(
        "task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("deal_id", sa.Integer(), nullable=True),
        sa.Column("priority", sa.String(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("notes", sa.String(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["deal_id"],
            ["deal.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_task_assignee_id"), ["assignee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_task_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_task_deal_id"), ["deal_id"], unique=False)
        batch_op.create_index("ix_task_open_due", ["done_at", "due_at"], unique=False)

    create_search_indexes()
    seed_default_pipeline()


def create_search_indexes() -> None:
    """SQLite: an FTS5 index over search_text kept by triggers; PostgreSQL: a trigram GIN index."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for table in SEARCHED_TABLES:
            op.execute(
                f"CREATE INDEX ix_{table}_search_trgm ON {table} "
                "USING gin (search_text gin_trgm_ops)"
            )
        return
    for table in SEARCHED_TABLES:
        fts = f"{table}_fts"
        op.execute(
            f"CREATE VIRTUAL TABLE {fts} USING fts5(search_text, content='{table}', "
            "content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
        )
        op.execute(
            f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN "
            f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text); END"
        )
        op.execute(
            f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, search_text) "
            "VALUES ('delete', old.id, old.search_text); END"
        )
        op.execute(
            f"CREATE TRIGGER {fts}_au AFTER UPDATE OF search_text ON {table} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, search_text) "
            "VALUES ('delete', old.id, old.search_text); "
            f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text); END"
        )


def seed_default_pipeline() -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    pipeline = sa.table(
        "pipeline",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("name_key", sa.String),
        sa.column("position", sa.Integer),
        sa.column("created_at", sa.DateTime),
        sa.column("updated_at", sa.DateTime),
    )
    stage = sa.table(
        "stage",
        sa.column("pipeline_id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("name_key", sa.String),
        sa.column("position", sa.Integer),
        sa.column("probability", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("created_at", sa.DateTime),
        sa.column("updated_at", sa.DateTime),
    )
    op.bulk_insert(
        pipeline,
        [
            {
                "id": 1,
                "name": "Sales",
                "name_key": "sales",
                "position": 0,
                "created_at": now,
                "updated_at": now,
            }
        ],
    )
    op.bulk_insert(
        stage,
        [
            {
                "pipeline_id": 1,
                "name": name,
                "name_key": name.lower(),
                "position": position,
                "probability": probability,
                "kind": kind,
                "created_at": now,
                "updated_at": now,
            }
            for position, (name, probability, kind) in enumerate(DEFAULT_STAGES)
        ],
    )
    if op.get_bind().dialect.name == "postgresql":
        # The explicit id above does not advance the serial; the next pipeline would collide.
        op.execute("SELECT setval(pg_get_serial_sequence('pipeline', 'id'), 1)")
