"""Reports: covering indexes that make every figure of a month an index range (docs/reports.md).

Each index starts with what a month's query compares (a status, a kind, a stage) and goes on with
the time, so a month is one range, and ends with the columns the query adds up, so the range is
read from the index alone. Two indexes of earlier migrations are the prefixes of wider ones here
and go.
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# name, table, columns
INDEXES = [
    # interactions of a month per kind and user: one counted range per (kind, user)
    ("ix_interaction_kind_user_occurred", "interaction", ["kind", "user_id", "occurred_at"]),
    # deals created in a month, by currency
    ("ix_deal_created_amounts", "deal", ["created_at", "currency", "amount_units", "owner_id"]),
    # deals won or lost in a month: amounts, sales cycle, top customers, pipeline walked back
    (
        "ix_deal_status_closed_amounts",
        "deal",
        [
            "status",
            "closed_at",
            "created_at",
            "stage_id",
            "currency",
            "amount_units",
            "owner_id",
            "contact_id",
            "company_id",
        ],
    ),  # fmt: skip
    # open deals by stage, for the pipeline at a month's end
    (
        "ix_deal_status_stage_amounts",
        "deal",
        ["status", "stage_id", "currency", "created_at", "amount_units", "owner_id"],
    ),
    # stage moves since a month's end, for the pipeline walked back to it
    (
        "ix_deal_stage_change_changed_moves",
        "deal_stage_change",
        ["changed_at", "deal_id", "from_stage_id", "to_stage_id"],
    ),
    # contacts becoming customers or leaving them
    (
        "ix_lifecycle_change_to_changed",
        "lifecycle_change",
        ["to_stage", "changed_at", "from_stage", "contact_id"],
    ),
    (
        "ix_lifecycle_change_from_changed",
        "lifecycle_change",
        ["from_stage", "changed_at", "to_stage", "contact_id"],
    ),
    # `crm report monthly --owner`: one owner's contacts created in a month, and customers now
    ("ix_contact_owner_created", "contact", ["owner_id", "created_at"]),
    ("ix_contact_owner_lifecycle", "contact", ["owner_id", "lifecycle_stage"]),
    # tasks done in a month, and overdue at its end, with their assignee
    ("ix_task_done_due_assignee", "task", ["done_at", "due_at", "assignee_id"]),
]
# name, table, columns: replaced by the wider indexes above
REPLACED = [
    ("ix_deal_status_closed", "deal", ["status", "closed_at"]),
    ("ix_task_open_due", "task", ["done_at", "due_at"]),
    (
        "ix_lifecycle_change_changed_stages",
        "lifecycle_change",
        ["changed_at", "from_stage", "to_stage", "contact_id"],
    ),
]


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    for name, table, _ in REPLACED:
        op.drop_index(name, table_name=table)


def downgrade() -> None:
    for name, table, columns in REPLACED:
        op.create_index(name, table, columns)
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
