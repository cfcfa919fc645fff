"""listing codes: each listed tender's CPV codes and regions, one row each, so the officer
list's CPV and region filters (prefixes) are index range scans instead of a `LIKE` over the
JSON text of every listing row (issue 16: 30,000-89,000 rows read per count at 100,000
tenders)

- `tender_listing_codes` (kind, code, tender_id): kind `c` for a CPV code (the main one and
  every item's), `r` for a region; codes upper-cased (the filters ignore case), at most
  40 characters. Kept by
  triggers from `tender_listing` (itself kept from assessments and tenders), so no code
  writes it; backfilled here.
- PostgreSQL: `code` in the "C" collation, so a prefix is a byte range whatever the
  database's locale.

Revision ID: 0025
Revises: 0023
Create Date: 2026-12-07 07:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0025'
down_revision = '0023'
branch_labels = None
depends_on = None


def _sqlite_codes(row: str, table: str = '') -> str:
    """The codes of one listing row `row` (NEW in a trigger; `l` over `table`, the backfill)."""
    source = f'FROM {table} ' if table else ''
    return ' UNION '.join([
        f"SELECT 'c', substr(upper({row}.main_cpv), 1, 40), {row}.tender_id {source}"
        f'WHERE {row}.main_cpv IS NOT NULL',
        *(
            f"SELECT '{kind}', substr(upper(j.value), 1, 40), {row}.tender_id FROM {table + ', ' if table else ''}"
            f"json_each(CASE WHEN json_valid({row}.{column}) THEN {row}.{column} ELSE '[]' END)"
            " AS j WHERE j.type = 'text'"
            for kind, column in (('c', 'cpv_codes'), ('r', 'regions'))
        ),
    ])


def _postgres_codes(row: str, table: str = '') -> str:
    source = f'FROM {table} ' if table else ''
    return ' UNION '.join([
        f"SELECT 'c', substr(upper({row}.main_cpv), 1, 40), {row}.tender_id {source}"
        f'WHERE {row}.main_cpv IS NOT NULL',
        *(
            f"SELECT '{kind}', substr(upper(j #>> '{{}}'), 1, 40), {row}.tender_id "
            f"FROM {table + ', ' if table else ''}jsonb_array_elements(CASE WHEN "
            f"jsonb_typeof(CAST({row}.{column} AS jsonb)) = 'array' THEN "
            f"CAST({row}.{column} AS jsonb) ELSE '[]'::jsonb END) AS j "
            "WHERE jsonb_typeof(j) = 'string'"
            for kind, column in (('c', 'cpv_codes'), ('r', 'regions'))
        ),
    ])


_INSERT = 'INSERT INTO tender_listing_codes (kind, code, tender_id)'
_LISTING = 'tender_listing AS l'

SQLITE_UP = [
    # `INSERT OR REPLACE INTO tender_listing` (migration 0016) deletes the old row without
    # firing a delete trigger: the insert trigger clears the tender's codes first.
    f"""CREATE TRIGGER tender_listing_codes_insert AFTER INSERT ON tender_listing BEGIN
        DELETE FROM tender_listing_codes WHERE tender_id = NEW.tender_id;
        {_INSERT} {_sqlite_codes('NEW')};
    END""",
    f"""CREATE TRIGGER tender_listing_codes_update AFTER UPDATE OF main_cpv, cpv_codes, regions
        ON tender_listing
    WHEN OLD.main_cpv IS NOT NEW.main_cpv OR OLD.cpv_codes IS NOT NEW.cpv_codes
        OR OLD.regions IS NOT NEW.regions
    BEGIN
        DELETE FROM tender_listing_codes WHERE tender_id = OLD.tender_id;
        {_INSERT} {_sqlite_codes('NEW')};
    END""",
    """CREATE TRIGGER tender_listing_codes_delete AFTER DELETE ON tender_listing BEGIN
        DELETE FROM tender_listing_codes WHERE tender_id = OLD.tender_id;
    END""",
]
SQLITE_BACKFILL = f"{_INSERT} {_sqlite_codes('l', _LISTING)}"
SQLITE_DOWN = [
    f'DROP TRIGGER IF EXISTS tender_listing_codes_{event}'
    for event in ('insert', 'update', 'delete')
]
POSTGRES_UP = [
    f"""CREATE FUNCTION lotwise_listing_codes() RETURNS trigger AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            DELETE FROM tender_listing_codes WHERE tender_id = OLD.tender_id;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            {_INSERT} {_postgres_codes('NEW')};
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER tender_listing_codes AFTER INSERT OR DELETE ON tender_listing
    FOR EACH ROW EXECUTE FUNCTION lotwise_listing_codes()""",
    """CREATE TRIGGER tender_listing_codes_update AFTER UPDATE OF main_cpv, cpv_codes, regions
        ON tender_listing FOR EACH ROW
    WHEN (OLD.main_cpv IS DISTINCT FROM NEW.main_cpv OR OLD.cpv_codes IS DISTINCT FROM
        NEW.cpv_codes OR OLD.regions IS DISTINCT FROM NEW.regions)
    EXECUTE FUNCTION lotwise_listing_codes()""",
]
POSTGRES_BACKFILL = f"{_INSERT} {_postgres_codes('l', _LISTING)}"
POSTGRES_DOWN = [
    'DROP TRIGGER IF EXISTS tender_listing_codes_update ON tender_listing',
    'DROP TRIGGER IF EXISTS tender_listing_codes ON tender_listing',
    'DROP FUNCTION IF EXISTS lotwise_listing_codes()',
]


def upgrade() -> None:
    bind = op.get_bind()
    op.create_table('tender_listing_codes',
    sa.Column('kind', sa.String(length=1), nullable=False),
    sa.Column('code', sa.String(length=40).with_variant(sa.String(length=40, collation='C'), 'postgresql'), nullable=False),
    sa.Column('tender_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'code', 'tender_id', name=op.f('pk_tender_listing_codes')),
    sqlite_with_rowid=False,
    )
    op.create_index('ix_tender_listing_codes_tender', 'tender_listing_codes', ['tender_id', 'kind', 'code'])
    if bind.dialect.name == 'sqlite':
        op.execute(SQLITE_BACKFILL)
        for statement in SQLITE_UP:
            op.execute(statement)
    elif bind.dialect.name == 'postgresql':
        op.execute(POSTGRES_BACKFILL)
        for statement in POSTGRES_UP:
            op.execute(statement)


def downgrade() -> None:
    bind = op.get_bind()
    for statement in SQLITE_DOWN if bind.dialect.name == 'sqlite' else POSTGRES_DOWN:
        op.execute(statement)
    op.drop_index('ix_tender_listing_codes_tender', table_name='tender_listing_codes')
    op.drop_table('tender_listing_codes')
