"""data generation: a number that grows with every committed change to a table the cached
web pages read, so every server process (and every worker) can keep a page's data and reuse it
while nothing it was read from changed (issue 16: at 16 concurrent clients a page must cost
about 5 ms of CPU; reading it again cost 8-16 ms)

- `data_generation`: one row (`id` 1), raised by triggers on INSERT, UPDATE and DELETE of every
  table in `TABLES` (`scanner.storage.data_generation.WATCHED_TABLES` names the same; a test
  holds the two and the models together). Writes come from other processes (crawl, ingest,
  matching, profile edits), so the number lives in the database.
- SQLite: a trigger per table and event raises it in the writer's transaction (one writer at a
  time, so this adds no waiting).
- PostgreSQL: a deferred constraint trigger per table raises it at commit, once per transaction
  (a transaction-local setting remembers that it did), so concurrent writers wait on the row only
  for the instant of each other's commit and cannot deadlock on it (as `tender_listing_version`,
  migration 0023).
- `ix_tenders_deadline`: a kept page is exact until the next deadline (a tender stops being
  open then); finding that deadline is one index probe.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07 17:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None

# Every table a cached page or API answer reads (scanner.storage.data_generation).
TABLES = (
    'award_suppliers', 'awards', 'canonical_members', 'canonical_opportunities',
    'dedupe_exclusions', 'lots', 'matches', 'organisations', 'sources', 'split_assessments',
    'suggestion_feedback', 'suppliers', 'tender_listing', 'tender_listing_codes',
    'tender_outcomes', 'tender_values', 'tenders',
)  # fmt: skip
EVENTS = ('INSERT', 'UPDATE', 'DELETE')
_RAISE = 'UPDATE data_generation SET generation = generation + 1 WHERE id = 1'
SQLITE_UP = [
    f"""CREATE TRIGGER data_generation_{table}_{event.lower()} AFTER {event} ON {table}
    BEGIN {_RAISE}; END"""
    for table in TABLES
    for event in EVENTS
]
SQLITE_DOWN = [
    f'DROP TRIGGER IF EXISTS data_generation_{table}_{event.lower()}'
    for table in TABLES
    for event in EVENTS
]
POSTGRES_UP = [
    """CREATE FUNCTION lotwise_data_generation() RETURNS trigger AS $$
    BEGIN
        IF current_setting('lotwise.data_generation_xid', true)
                IS NOT DISTINCT FROM txid_current()::text THEN
            RETURN NULL;  -- this transaction raised it already
        END IF;
        UPDATE data_generation SET generation = generation + 1 WHERE id = 1;
        PERFORM set_config('lotwise.data_generation_xid', txid_current()::text, true);
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    *(
        f"""CREATE CONSTRAINT TRIGGER data_generation AFTER INSERT OR UPDATE OR DELETE ON {table}
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION lotwise_data_generation()"""
        for table in TABLES
    ),
]
POSTGRES_DOWN = [
    *(f'DROP TRIGGER IF EXISTS data_generation ON {table}' for table in TABLES),
    'DROP FUNCTION IF EXISTS lotwise_data_generation()',
]


def upgrade() -> None:
    op.create_table('data_generation',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('generation', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_generation'))
    )
    op.execute('INSERT INTO data_generation (id, generation) VALUES (1, 0)')
    op.create_index('ix_tenders_deadline', 'tenders', ['deadline_at'])
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
    op.drop_index('ix_tenders_deadline', table_name='tenders')
    op.drop_table('data_generation')
