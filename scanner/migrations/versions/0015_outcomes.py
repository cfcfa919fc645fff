"""outcomes: procedure, bids, awards, suppliers and contracts per tender (issue 17)

Revision ID: 0015
Revises: 0008
Create Date: 2026-12-06 19:17:33.268787
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0015'
down_revision = '0008'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table('suppliers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scheme', sa.String(length=100), nullable=False),
    sa.Column('identifier', sa.String(length=300), nullable=False),
    sa.Column('name', sa.String(length=1000), nullable=True),
    sa.Column('scale', sa.String(length=20), nullable=True),
    sa.Column('first_seen', sa.DateTime(), nullable=False),
    sa.Column('last_seen', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suppliers')),
    sa.UniqueConstraint('scheme', 'identifier', name=op.f('uq_suppliers_scheme_identifier'))
    )
    op.create_table('award_suppliers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tender_id', sa.Integer(), nullable=False),
    sa.Column('award_position', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=True),
    sa.Column('party_ref', sa.String(length=300), nullable=True),
    sa.Column('name', sa.Text(), nullable=True),
    sa.Column('scale', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], name=op.f('fk_award_suppliers_supplier_id_suppliers')),
    sa.ForeignKeyConstraint(['tender_id'], ['tenders.id'], name=op.f('fk_award_suppliers_tender_id_tenders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_award_suppliers')),
    sa.UniqueConstraint('tender_id', 'award_position', 'position', name=op.f('uq_award_suppliers_tender_id_award_position_position'))
    )
    with op.batch_alter_table('award_suppliers', schema=None) as batch_op:
        batch_op.create_index('ix_award_suppliers_supplier_id', ['supplier_id'], unique=False)

    op.create_table('awards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tender_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('award_id', sa.String(length=300), nullable=True),
    sa.Column('status', sa.String(length=40), nullable=True),
    sa.Column('date', sa.DateTime(), nullable=True),
    sa.Column('value_amount', sa.Numeric(precision=24, scale=2), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('lot_ids', JSON, nullable=False),
    sa.Column('related_bid', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['tender_id'], ['tenders.id'], name=op.f('fk_awards_tender_id_tenders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_awards')),
    sa.UniqueConstraint('tender_id', 'position', name=op.f('uq_awards_tender_id_position'))
    )
    op.create_table('tender_outcomes',
    sa.Column('tender_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('method', sa.String(length=20), nullable=True),
    sa.Column('method_details', sa.String(length=200), nullable=True),
    sa.Column('method_field', sa.String(length=100), nullable=True),
    sa.Column('period_start', sa.DateTime(), nullable=True),
    sa.Column('period_end', sa.DateTime(), nullable=True),
    sa.Column('bid_count', sa.Integer(), nullable=True),
    sa.Column('bid_count_field', sa.String(length=100), nullable=True),
    sa.Column('lot_bid_counts', JSON, nullable=False),
    sa.Column('bids', JSON, nullable=False),
    sa.Column('contracts', JSON, nullable=False),
    sa.Column('unknowns', JSON, nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tender_id'], ['tenders.id'], name=op.f('fk_tender_outcomes_tender_id_tenders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tender_id', name=op.f('pk_tender_outcomes'))
    )
    with op.batch_alter_table('tender_outcomes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tender_outcomes_method'), ['method'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('tender_outcomes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tender_outcomes_method'))

    op.drop_table('tender_outcomes')
    op.drop_table('awards')
    with op.batch_alter_table('award_suppliers', schema=None) as batch_op:
        batch_op.drop_index('ix_award_suppliers_supplier_id')

    op.drop_table('award_suppliers')
    op.drop_table('suppliers')
