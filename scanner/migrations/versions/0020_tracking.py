"""tracking: an organisation's save, dismiss, bid and no-bid decisions with notes, and the key
of its subscribable calendar feed (issue 18)

New tables only: nothing existing is altered or copied.

Revision ID: 0020
Revises: 0016
Create Date: 2026-12-06 23:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('tracking',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('tender_id', sa.Integer(), nullable=False),
    sa.Column('opportunity_id', sa.String(length=100), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('user_email', sa.String(length=320), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_tracking_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tender_id'], ['tenders.id'], name=op.f('fk_tracking_tender_id_tenders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tracking')),
    sa.UniqueConstraint('organisation_id', 'opportunity_id', name=op.f('uq_tracking_organisation_id_opportunity_id')),
    )
    op.create_index(op.f('ix_tracking_tender_id'), 'tracking', ['tender_id'], unique=False)
    op.create_table('calendar_feeds',
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_calendar_feeds_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organisation_id', name=op.f('pk_calendar_feeds')),
    )


def downgrade() -> None:
    op.drop_table('calendar_feeds')
    op.drop_index(op.f('ix_tracking_tender_id'), table_name='tracking')
    op.drop_table('tracking')
