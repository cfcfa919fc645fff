"""release content hash: a release arriving again with the same ocid, id and date but other
content is recorded as an error row naming both (issue 19), not dropped silently

A nullable column only: releases stored before it keep NULL (their payload as received is not
kept, only without contact points, so it cannot be recomputed) and are not compared.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 02:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('releases') as batch:
        batch.add_column(sa.Column('content_hash', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('releases') as batch:
        batch.drop_column('content_hash')
