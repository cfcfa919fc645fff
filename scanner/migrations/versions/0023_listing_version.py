"""listing version: a number that grows with every committed change to `tender_listing`, so
the officer list and the API keep each filter's count and reuse it while nothing changed
(issue 16: the count read 25,000-89,000 listing rows per page at 100,000 tenders)

- `tender_listing_version`: one row (`id` 1); `tender_listing.deadline_at` indexed, for the
  next deadline after a moment (when "open" counts change).
- SQLite: a trigger per row change of `tender_listing` raises it, in the writer's transaction
  (SQLite has one writer at a time, so this adds no waiting).
- PostgreSQL: a deferred constraint trigger raises it at commit, once per transaction (`xid`
  remembers which transaction raised it last), so concurrent writers wait on the row only for
  the instant of each other's commit and cannot deadlock on it.

Revision ID: 0023
Revises: 0021
Create Date: 2026-12-07 04:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0023'
down_revision = '0021'
branch_labels = None
depends_on = None

_RAISE = 'UPDATE tender_listing_version SET version = version + 1 WHERE id = 1'
SQLITE_UP = [
    f"""CREATE TRIGGER tender_listing_version_{event.lower()} AFTER {event} ON tender_listing
    BEGIN {_RAISE}; END"""
    for event in ('INSERT', 'UPDATE', 'DELETE')
]
SQLITE_DOWN = [
    f'DROP TRIGGER IF EXISTS tender_listing_version_{event.lower()}'
    for event in ('INSERT', 'UPDATE', 'DELETE')
]
POSTGRES_UP = [
    """CREATE FUNCTION lotwise_listing_version() RETURNS trigger AS $$
    BEGIN
        UPDATE tender_listing_version SET version = version + 1, xid = txid_current()
        WHERE id = 1 AND xid IS DISTINCT FROM txid_current();
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    """CREATE CONSTRAINT TRIGGER tender_listing_version
    AFTER INSERT OR UPDATE OR DELETE ON tender_listing
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION lotwise_listing_version()""",
]
POSTGRES_DOWN = [
    'DROP TRIGGER IF EXISTS tender_listing_version ON tender_listing',
    'DROP FUNCTION IF EXISTS lotwise_listing_version()',
]


def upgrade() -> None:
    op.create_table('tender_listing_version',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.Column('xid', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tender_listing_version'))
    )
    op.execute('INSERT INTO tender_listing_version (id, version) VALUES (1, 0)')
    op.create_index('ix_tender_listing_deadline', 'tender_listing', ['deadline_at'])
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        for statement in SQLITE_UP:
            op.execute(statement)
    elif bind.dialect.name == 'postgresql':
        for statement in POSTGRES_UP:
            op.execute(statement)


def downgrade() -> None:
    bind = op.get_bind()
    for statement in SQLITE_DOWN if bind.dialect.name == 'sqlite' else POSTGRES_DOWN:
        op.execute(statement)
    op.drop_index('ix_tender_listing_deadline', table_name='tender_listing')
    op.drop_table('tender_listing_version')
