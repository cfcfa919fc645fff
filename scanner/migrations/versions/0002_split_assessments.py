"""split assessments: the splitter's stored answer per tender (issue 4)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 11:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('split_assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tender_id', sa.Integer(), nullable=False),
    sa.Column('tender_version', sa.Integer(), nullable=False),
    sa.Column('rules_version', sa.String(length=100), nullable=False),
    sa.Column('should_split', sa.Boolean(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('civic_friendliness', sa.Float(), nullable=False),
    sa.Column('package_count', sa.Integer(), nullable=False),
    sa.Column('aggregated_value', sa.Numeric(precision=24, scale=2), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('jurisdiction', sa.String(length=40), nullable=True),
    sa.Column('procedure', sa.String(length=200), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('assessed_at', sa.DateTime(), nullable=False),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['tender_id'], ['tenders.id'], name=op.f('fk_split_assessments_tender_id_tenders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_split_assessments')),
    sa.UniqueConstraint('tender_id', name=op.f('uq_split_assessments_tender_id'))
    )
    with op.batch_alter_table('split_assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_split_assessments_rules_version'), ['rules_version'], unique=False)
        batch_op.create_index('ix_split_assessments_should_split_score', ['should_split', 'score'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('split_assessments', schema=None) as batch_op:
        batch_op.drop_index('ix_split_assessments_should_split_score')
        batch_op.drop_index(batch_op.f('ix_split_assessments_rules_version'))

    op.drop_table('split_assessments')
