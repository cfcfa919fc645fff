"""buyer index: a tender's page reads its buyer's other tenders (integrity flags are patterns
across a buyer's tenders); without an index on the buyer that read every tender (issue 16).

One index on `tenders (buyer_id, buyer_name)`: buyers with an identifier by its first
column, those without one (`buyer_id IS NULL AND buyer_name = ...`) by both.

Revision ID: 0022
Revises: 0020
Create Date: 2026-12-07 02:00:00
"""

from __future__ import annotations

from alembic import op

revision = '0022'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_tenders_buyer', 'tenders', ['buyer_id', 'buyer_name'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_tenders_buyer', table_name='tenders')
