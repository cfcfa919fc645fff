"""organisations: registered organisation profiles (issue 5)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table('organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('emails', JSON, nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('capabilities', sa.Text(), nullable=False),
    sa.Column('keywords', JSON, nullable=False),
    sa.Column('exclusions', JSON, nullable=False),
    sa.Column('cpv', JSON, nullable=False),
    sa.Column('naics', JSON, nullable=False),
    sa.Column('regions', JSON, nullable=False),
    sa.Column('national', sa.Boolean(), nullable=False),
    sa.Column('remote', sa.Boolean(), nullable=False),
    sa.Column('value_min', sa.Numeric(precision=24, scale=2), nullable=True),
    sa.Column('value_max', sa.Numeric(precision=24, scale=2), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('turnover', sa.Numeric(precision=24, scale=2), nullable=True),
    sa.Column('team_size', sa.Integer(), nullable=True),
    sa.Column('certifications', JSON, nullable=False),
    sa.Column('open_source', sa.String(length=20), nullable=False),
    sa.Column('digest', sa.String(length=10), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations')),
    sa.UniqueConstraint('slug', name=op.f('uq_organisations_slug'))
    )
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisations_active'), ['active'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisations_active'))

    op.drop_table('organisations')
