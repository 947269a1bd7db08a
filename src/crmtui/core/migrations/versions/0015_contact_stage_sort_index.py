"""Contacts by lifecycle stage in name order: one index on (stage, sort key, id).

`crm contact list --stage customer` (and its next pages) read the stage's contacts through
`ix_contact_lifecycle_stage` and sorted them all for the first 20: on the 1M demo, 183,000
customers and 0.9 s. The new index hands them over in name order, and serves every lookup by
stage alone, which the old one did.
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_contact_stage_sort", "contact", ["lifecycle_stage", "sort_key", "id"])
    op.drop_index("ix_contact_lifecycle_stage", table_name="contact")


def downgrade() -> None:
    op.create_index("ix_contact_lifecycle_stage", "contact", ["lifecycle_stage"])
    op.drop_index("ix_contact_stage_sort", table_name="contact")
