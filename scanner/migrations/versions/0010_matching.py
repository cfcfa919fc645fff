"""matching: each tender's detected languages and unread place names; match kinds named for
what they are (issue 12)

Revision ID: 0010
Revises: 0012
Create Date: 2026-12-06 19:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0010'
down_revision = '0012'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    with op.batch_alter_table('tenders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('title_language', sa.String(length=8), nullable=True))
        batch_op.add_column(
            sa.Column('place_names', JSON, nullable=False, server_default=sa.text("'[]'"))
        )
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.alter_column(
            'kind', existing_type=sa.String(length=10), type_=sa.String(length=20),
            existing_nullable=False,
        )
    op.execute("UPDATE matches SET kind = 'buyer_lot' WHERE kind = 'lot'")
    op.execute("UPDATE matches SET kind = 'suggested_package' WHERE kind = 'package'")


def downgrade() -> None:
    op.execute("UPDATE matches SET kind = 'lot' WHERE kind = 'buyer_lot'")
    op.execute("UPDATE matches SET kind = 'package' WHERE kind = 'suggested_package'")
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.alter_column(
            'kind', existing_type=sa.String(length=20), type_=sa.String(length=10),
            existing_nullable=False,
        )
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_column('language')
    with op.batch_alter_table('tenders', schema=None) as batch_op:
        batch_op.drop_column('place_names')
        batch_op.drop_column('title_language')
        batch_op.drop_column('language')
