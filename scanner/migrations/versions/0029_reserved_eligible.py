"""organisations.reserved_eligible: what a reserved contract (Directive 2014/24/EU Art. 20
and 77) may be reserved to that the organisation says it is (`sheltered_workshop`,
`social_enterprise`, `public_service_mission`), so the matcher can say whether a reserved
notice is open to it.

One JSON list column; organisations stored before it have said nothing (an empty list).

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07 19:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    # Added in place, NOT NULL with a default: on SQLite a batch copy of `organisations` would
    # run the ON DELETE actions of every row pointing at it (as in 0012).
    op.add_column(
        "organisations",
        sa.Column("reserved_eligible", JSON, nullable=False, server_default=sa.text("'[]'")),
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":  # in place, for the same reason
        op.execute("ALTER TABLE organisations DROP COLUMN reserved_eligible")
    else:
        op.drop_column("organisations", "reserved_eligible")
