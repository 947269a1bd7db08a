"""Reports: a covering index on lifecycle changes, so customers at a date and churn are index-only.

Customers at a past date are today's customers with the changes since walked back; reading those
changes' from/to stages from the index alone keeps a month's churn figures off the table.
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_lifecycle_change_changed_stages",
        "lifecycle_change",
        ["changed_at", "from_stage", "to_stage", "contact_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_lifecycle_change_changed_stages", table_name="lifecycle_change")
