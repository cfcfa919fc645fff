"""matches: scored organisation x opportunity pairs with their breakdown (issue 5)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 12:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table('matches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('tender_id', sa.Integer(), nullable=False),
    sa.Column('opportunity_id', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('breakdown', JSON, nullable=False),
    sa.Column('tender_version', sa.Integer(), nullable=False),
    sa.Column('organisation_version', sa.Integer(), nullable=False),
    sa.Column('weights_version', sa.String(length=100), nullable=False),
    sa.Column('found_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_matches_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tender_id'], ['tenders.id'], name=op.f('fk_matches_tender_id_tenders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matches')),
    sa.UniqueConstraint('organisation_id', 'opportunity_id', name=op.f('uq_matches_organisation_id_opportunity_id')),
    )
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.create_index('ix_matches_organisation_score', ['organisation_id', 'score'], unique=False)
        batch_op.create_index(batch_op.f('ix_matches_tender_id'), ['tender_id'], unique=False)


def downgrade() -> None:
    op.drop_table('matches')
