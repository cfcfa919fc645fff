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
    # Plain ALTERs, never a batch copy: on SQLite a copy of `tenders` or `organisations` would
    # run the ON DELETE actions of every row pointing at them (PRAGMA foreign_keys is on).
    op.add_column('tenders', sa.Column('language', sa.String(length=8), nullable=True))
    op.add_column('tenders', sa.Column('title_language', sa.String(length=8), nullable=True))
    op.add_column(
        'tenders', sa.Column('place_names', JSON, nullable=False, server_default=sa.text("'[]'"))
    )
    op.add_column('organisations', sa.Column('language', sa.String(length=8), nullable=True))
    _kind_length(10, 20)
    op.execute("UPDATE matches SET kind = 'buyer_lot' WHERE kind = 'lot'")
    op.execute("UPDATE matches SET kind = 'suggested_package' WHERE kind = 'package'")


def downgrade() -> None:
    op.execute("UPDATE matches SET kind = 'lot' WHERE kind = 'buyer_lot'")
    op.execute("UPDATE matches SET kind = 'package' WHERE kind = 'suggested_package'")
    _kind_length(20, 10)
    _drop_column('organisations', 'language')
    for column in ('place_names', 'title_language', 'language'):
        _drop_column('tenders', column)


def _kind_length(old: int, new: int) -> None:
    """SQLite does not enforce VARCHAR lengths, so only other databases change the type."""
    if op.get_bind().dialect.name != 'sqlite':
        op.alter_column(
            'matches', 'kind', existing_type=sa.String(length=old), type_=sa.String(length=new),
            existing_nullable=False,
        )


def _drop_column(table: str, column: str) -> None:
    """In place on SQLite (3.35+), as migration 0012 does, for the reason given in upgrade()."""
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
    else:
        op.drop_column(table, column)
