"""crawl_runs.last_page_at: when a run's last page was fetched, so "stale" counts from the
last page actually fetched (issue 15), not from the end of a run that fetched pages and then
hung until its timeout.

One nullable column; runs stored before it take their end as their last page (the best
known), those that fetched nothing stay NULL.

Revision ID: 0024
Revises: 0020
Create Date: 2026-12-07 01:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0024'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('crawl_runs', sa.Column('last_page_at', sa.DateTime(), nullable=True))
    op.execute('UPDATE crawl_runs SET last_page_at = finished_at WHERE pages > 0')


def downgrade() -> None:
    with op.batch_alter_table('crawl_runs', schema=None) as batch_op:
        batch_op.drop_column('last_page_at')
