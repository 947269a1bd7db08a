"""Reports: indexes that make a month's figures index range scans (docs/reports.md).

interaction (occurred_at, kind, user_id) covers the month's counts by kind and user, so they are
read from the index alone; deal (status, closed_at) finds the deals won or lost in a month.
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_interaction_occurred_kind_user", "interaction", ["occurred_at", "kind", "user_id"]
    )
    op.create_index("ix_deal_status_closed", "deal", ["status", "closed_at"])


def downgrade() -> None:
    op.drop_index("ix_deal_status_closed", table_name="deal")
    op.drop_index("ix_interaction_occurred_kind_user", table_name="interaction")
