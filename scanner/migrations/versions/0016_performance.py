"""performance: a tender's raw payload is written once (issue 16)

`tenders.raw` becomes nullable: a tender made from one release leaves it NULL and reads that
release from `releases` (see `Tender.raw`).

Revision ID: 0016
Revises: 0008
Create Date: 2026-12-07 19:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0016'
down_revision = '0008'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    with op.batch_alter_table('tenders', schema=None) as batch_op:
        batch_op.alter_column('raw', existing_type=JSON, nullable=True)


def downgrade() -> None:
    op.execute(
        'UPDATE tenders SET raw = (SELECT releases.payload FROM releases'
        ' WHERE releases.source_id = tenders.source_id AND releases.ocid = tenders.source_key'
        ' ORDER BY releases.id LIMIT 1) WHERE raw IS NULL'
    )
    with op.batch_alter_table('tenders', schema=None) as batch_op:
        batch_op.alter_column('raw', existing_type=JSON, nullable=False)
