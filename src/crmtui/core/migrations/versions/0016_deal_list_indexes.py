"""Deals of one status or one owner, newest first: (status, created) and (owner, created).

`crm deal list --status open` and `--mine` read all the status's or the owner's deals through
`ix_deal_status` or `ix_deal_owner_id` and sorted them for the first page: on the 1M demo,
147,000 open deals and 0.5 s. The new indexes hand them over newest first and serve every
lookup by status or owner alone, which the old ones did.
"""

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

REPLACED = {
    "ix_deal_status": ("ix_deal_status_created", ["status", "created_at"]),
    "ix_deal_owner_id": ("ix_deal_owner_created", ["owner_id", "created_at"]),
}


def upgrade() -> None:
    for old, (new, columns) in REPLACED.items():
        op.create_index(new, "deal", columns)
        op.drop_index(old, table_name="deal")


def downgrade() -> None:
    for old, (new, columns) in REPLACED.items():
        op.create_index(old, "deal", columns[:1])
        op.drop_index(new, table_name="deal")
