"""canonical: cross-source canonical opportunities, merge reasons, unmerged pairs, and
reporting-currency values (issue 3)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 13:01:37.917901
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table('canonical_opportunities',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('buyer_name', sa.String(length=1000), nullable=True),
    sa.Column('deadline_at', sa.DateTime(), nullable=True),
    sa.Column('value_amount', sa.Numeric(precision=24, scale=2), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('value_reporting', sa.Numeric(precision=24, scale=2), nullable=True),
    sa.Column('member_count', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_canonical_opportunities'))
    )
    with op.batch_alter_table('canonical_opportunities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_canonical_opportunities_member_count'), ['member_count'], unique=False)

    op.create_table('dedupe_exclusions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tender_a', sa.Integer(), nullable=False),
    sa.Column('tender_b', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dedupe_exclusions')),
    sa.UniqueConstraint('tender_a', 'tender_b', name=op.f('uq_dedupe_exclusions_tender_a_tender_b'))
    )
    op.create_table('canonical_members',
    sa.Column('tender_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('canonical_id', sa.Integer(), nullable=False),
    sa.Column('tender_version', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('matched_tender_id', sa.Integer(), nullable=True),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('reasons', JSON, nullable=False),
    sa.Column('identifiers', JSON, nullable=False),
    sa.Column('linked_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tender_id'], ['tenders.id'], name=op.f('fk_canonical_members_tender_id_tenders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tender_id', name=op.f('pk_canonical_members'))
    )
    with op.batch_alter_table('canonical_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_canonical_members_canonical_id'), ['canonical_id'], unique=False)

    op.create_table('tender_values',
    sa.Column('tender_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('tender_version', sa.Integer(), nullable=False),
    sa.Column('value_reporting', sa.Numeric(precision=24, scale=2), nullable=True),
    sa.Column('reporting_currency', sa.String(length=3), nullable=False),
    sa.Column('rate_date', sa.Date(), nullable=True),
    sa.Column('rates_key', sa.String(length=64), nullable=False),
    sa.Column('lot_values', JSON, nullable=False),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['tender_id'], ['tenders.id'], name=op.f('fk_tender_values_tender_id_tenders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tender_id', name=op.f('pk_tender_values'))
    )
    with op.batch_alter_table('tender_values', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tender_values_value_reporting'), ['value_reporting'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('tender_values', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tender_values_value_reporting'))
    op.drop_table('tender_values')
    with op.batch_alter_table('canonical_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_canonical_members_canonical_id'))
    op.drop_table('canonical_members')
    op.drop_table('dedupe_exclusions')
    with op.batch_alter_table('canonical_opportunities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_canonical_opportunities_member_count'))
    op.drop_table('canonical_opportunities')
