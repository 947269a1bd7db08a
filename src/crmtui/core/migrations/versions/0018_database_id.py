"""A random id for the database (setting `database_id`), which its calendar exports' UIDs carry."""

# Exported to-dos and events were `task-7@crmtui`: two databases exported into one calendar app
# overwrote each other's. The id is drawn once, here, so every export of a database names an
# event the same way and a calendar updates it instead of adding a copy; `crm db copy` carries it
# over with the other settings.

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

KEY = "database_id"


def upgrade() -> None:
    op.execute(
        sa.text('INSERT INTO setting ("key", "value") VALUES (:key, :value)').bindparams(
            key=KEY, value=secrets.token_hex(8)
        )
    )


def downgrade() -> None:
    op.execute(sa.text('DELETE FROM setting WHERE "key" = :key').bindparams(key=KEY))
