"""performance: a tender's raw payload written once; listing keys, indexes and text search that
serve the officer list and the API's tender listing without reading every row (issue 16)

- `tenders.raw` becomes nullable: a tender made from one release leaves it NULL and reads
  that release from `releases` (see `Tender.raw`).
- `tender_listing`: the officer list's narrow table (one row per assessed tender: verdict,
  score, value, deadline, publication, buyer, codes), kept by triggers from
  `split_assessments` and `tenders`, with one index per sort; on PostgreSQL, when the
  `pg_trgm` extension can be had, trigram indexes for its substring and prefix filters.
- Tenders: an index for the API listing's order (newest publication first) and text search:
  SQLite an FTS5 table kept by triggers (`tender_text`: words of title and buyer), PostgreSQL
  a GIN index on the `tsvector` of title and buyer.

Revision ID: 0016
Revises: 0010
Create Date: 2026-12-07 19:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from scanner.models.listing import CLOSED_STATUSES, LISTING_INDEXES
from scanner.models.tender import TENDER_LISTING_INDEXES
from scanner.storage.search import POSTGRES_TEXT_VECTOR

revision = '0016'
down_revision = '0010'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')

_CLOSED = ', '.join(f"'{status}'" for status in CLOSED_STATUSES)
_FROM_TENDER = (
    't.deadline_at, t.published_at, t.buyer_name, t.main_cpv, '
    'CAST(t.cpv_codes AS TEXT), CAST(t.regions AS TEXT), '
    f't.status, COALESCE(t.status IN ({_CLOSED}), FALSE)'
)
_COLUMNS = (
    'tender_id, should_split, score, aggregated_value, deadline_at, published_at, buyer_name,'
    ' main_cpv, cpv_codes, regions, status, closed'
)
BACKFILL = (
    f'INSERT INTO tender_listing ({_COLUMNS})'
    f' SELECT a.tender_id, a.should_split, a.score, a.aggregated_value, {_FROM_TENDER}'
    ' FROM split_assessments a JOIN tenders t ON t.id = a.tender_id'
)
_TENDER_KEYS_CHANGED = (
    'OLD.deadline_at IS NOT NEW.deadline_at OR OLD.published_at IS NOT NEW.published_at'
    ' OR OLD.buyer_name IS NOT NEW.buyer_name OR OLD.main_cpv IS NOT NEW.main_cpv'
    ' OR OLD.cpv_codes IS NOT NEW.cpv_codes OR OLD.regions IS NOT NEW.regions'
    ' OR OLD.status IS NOT NEW.status'
)

SQLITE_UP = [
    f"""CREATE TRIGGER split_assessments_listing_insert AFTER INSERT ON split_assessments BEGIN
        INSERT OR REPLACE INTO tender_listing ({_COLUMNS})
        SELECT NEW.tender_id, NEW.should_split, NEW.score, NEW.aggregated_value, {_FROM_TENDER}
        FROM tenders t WHERE t.id = NEW.tender_id;
    END""",
    """CREATE TRIGGER split_assessments_listing_update
    AFTER UPDATE OF should_split, score, aggregated_value ON split_assessments BEGIN
        UPDATE tender_listing SET should_split = NEW.should_split, score = NEW.score,
            aggregated_value = NEW.aggregated_value
        WHERE tender_id = NEW.tender_id;
    END""",
    """CREATE TRIGGER split_assessments_listing_delete AFTER DELETE ON split_assessments BEGIN
        DELETE FROM tender_listing WHERE tender_id = OLD.tender_id;
    END""",
    f"""CREATE TRIGGER tenders_listing_keys AFTER UPDATE OF deadline_at, published_at,
        buyer_name, main_cpv, cpv_codes, regions, status ON tenders WHEN {_TENDER_KEYS_CHANGED}
    BEGIN
        UPDATE tender_listing SET deadline_at = NEW.deadline_at,
            published_at = NEW.published_at, buyer_name = NEW.buyer_name,
            main_cpv = NEW.main_cpv, cpv_codes = NEW.cpv_codes, regions = NEW.regions,
            status = NEW.status, closed = COALESCE(NEW.status IN ({_CLOSED}), FALSE)
        WHERE tender_id = NEW.id;
    END""",
    # Words of title and buyer, for search.
    """CREATE VIRTUAL TABLE tender_text USING fts5(title, buyer_name, content='tenders',
        content_rowid='id', tokenize='unicode61 remove_diacritics 0')""",
    """CREATE TRIGGER tenders_text_insert AFTER INSERT ON tenders BEGIN
        INSERT INTO tender_text (rowid, title, buyer_name)
            VALUES (NEW.id, NEW.title, NEW.buyer_name);
    END""",
    """CREATE TRIGGER tenders_text_delete AFTER DELETE ON tenders BEGIN
        INSERT INTO tender_text (tender_text, rowid, title, buyer_name)
            VALUES ('delete', OLD.id, OLD.title, OLD.buyer_name);
    END""",
    """CREATE TRIGGER tenders_text_update AFTER UPDATE OF title, buyer_name ON tenders
    WHEN OLD.title IS NOT NEW.title OR OLD.buyer_name IS NOT NEW.buyer_name BEGIN
        INSERT INTO tender_text (tender_text, rowid, title, buyer_name)
            VALUES ('delete', OLD.id, OLD.title, OLD.buyer_name);
        INSERT INTO tender_text (rowid, title, buyer_name)
            VALUES (NEW.id, NEW.title, NEW.buyer_name);
    END""",
    "INSERT INTO tender_text (tender_text) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS tenders_text_update",
    "DROP TRIGGER IF EXISTS tenders_text_delete",
    "DROP TRIGGER IF EXISTS tenders_text_insert",
    "DROP TABLE IF EXISTS tender_text",
    "DROP TRIGGER IF EXISTS tenders_listing_keys",
    "DROP TRIGGER IF EXISTS split_assessments_listing_delete",
    "DROP TRIGGER IF EXISTS split_assessments_listing_update",
    "DROP TRIGGER IF EXISTS split_assessments_listing_insert",
]

POSTGRES_UP = [
    f"""CREATE FUNCTION lotwise_listing_from_assessment() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM tender_listing WHERE tender_id = OLD.tender_id;
        ELSIF TG_OP = 'INSERT' THEN
            INSERT INTO tender_listing ({_COLUMNS})
            SELECT NEW.tender_id, NEW.should_split, NEW.score, NEW.aggregated_value,
                {_FROM_TENDER}
            FROM tenders t WHERE t.id = NEW.tender_id
            ON CONFLICT (tender_id) DO UPDATE SET should_split = EXCLUDED.should_split,
                score = EXCLUDED.score, aggregated_value = EXCLUDED.aggregated_value;
        ELSE
            UPDATE tender_listing SET should_split = NEW.should_split, score = NEW.score,
                aggregated_value = NEW.aggregated_value
            WHERE tender_id = NEW.tender_id;
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER split_assessments_listing AFTER INSERT OR DELETE
        OR UPDATE OF should_split, score, aggregated_value ON split_assessments
    FOR EACH ROW EXECUTE FUNCTION lotwise_listing_from_assessment()""",
    f"""CREATE FUNCTION lotwise_listing_from_tender() RETURNS trigger AS $$
    BEGIN
        UPDATE tender_listing SET deadline_at = NEW.deadline_at,
            published_at = NEW.published_at, buyer_name = NEW.buyer_name,
            main_cpv = NEW.main_cpv, cpv_codes = CAST(NEW.cpv_codes AS TEXT),
            regions = CAST(NEW.regions AS TEXT), status = NEW.status,
            closed = COALESCE(NEW.status IN ({_CLOSED}), FALSE)
        WHERE tender_id = NEW.id;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    f"""CREATE TRIGGER tenders_listing_keys AFTER UPDATE OF deadline_at, published_at,
        buyer_name, main_cpv, cpv_codes, regions, status ON tenders FOR EACH ROW
    WHEN ({_TENDER_KEYS_CHANGED.replace(' IS NOT ', ' IS DISTINCT FROM ')})
    EXECUTE FUNCTION lotwise_listing_from_tender()""",
    f"CREATE INDEX ix_tenders_text_search ON tenders USING gin (({POSTGRES_TEXT_VECTOR}))",
]
# Trigram indexes for the list's substring and prefix filters, where they are selective (the
# same expressions as `scanner.services.web_officer`). pg_trgm is a trusted extension;
# without it the filters read the narrow table.
POSTGRES_TRIGRAM = [
    "CREATE INDEX ix_tender_listing_buyer_trigram ON tender_listing USING gin "
    "(lower(buyer_name) public.gin_trgm_ops)",
    "CREATE INDEX ix_tender_listing_cpv_trigram ON tender_listing USING gin "
    "(cpv_codes public.gin_trgm_ops)",
    "CREATE INDEX ix_tender_listing_regions_trigram ON tender_listing USING gin "
    "(regions public.gin_trgm_ops)",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS ix_tenders_text_search",
    "DROP TRIGGER IF EXISTS tenders_listing_keys ON tenders",
    "DROP FUNCTION IF EXISTS lotwise_listing_from_tender()",
    "DROP TRIGGER IF EXISTS split_assessments_listing ON split_assessments",
    "DROP FUNCTION IF EXISTS lotwise_listing_from_assessment()",
]


def upgrade() -> None:
    with op.batch_alter_table('tenders', schema=None) as batch_op:
        batch_op.alter_column('raw', existing_type=JSON, nullable=True)
    op.create_table('tender_listing',
    sa.Column('tender_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('should_split', sa.Boolean(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('aggregated_value', sa.Numeric(precision=24, scale=2), nullable=True),
    sa.Column('deadline_at', sa.DateTime(), nullable=True),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('buyer_name', sa.String(length=1000), nullable=True),
    sa.Column('main_cpv', sa.String(length=8), nullable=True),
    sa.Column('cpv_codes', sa.Text(), nullable=True),
    sa.Column('regions', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=40), nullable=True),
    sa.Column('closed', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['tender_id'], ['tenders.id'], name=op.f('fk_tender_listing_tender_id_tenders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tender_id', name=op.f('pk_tender_listing'))
    )
    op.execute(BACKFILL)
    bind = op.get_bind()
    for index in [*LISTING_INDEXES, *TENDER_LISTING_INDEXES]:
        index.create(bind)
    if bind.dialect.name == 'sqlite':
        for statement in SQLITE_UP:
            op.execute(statement)
    elif bind.dialect.name == 'postgresql':
        for statement in POSTGRES_UP:
            op.execute(statement)
        if _trigram_available(bind):
            for statement in POSTGRES_TRIGRAM:
                op.execute(statement)


def _trigram_available(bind: sa.Connection) -> bool:
    """Install pg_trgm (in `public`, shared by every schema) if allowed; False if not."""
    savepoint = bind.begin_nested()
    try:
        bind.exec_driver_sql('CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public')
    except sa.exc.DBAPIError:
        savepoint.rollback()
        return False
    savepoint.commit()
    return True


def downgrade() -> None:
    bind = op.get_bind()
    for statement in SQLITE_DOWN if bind.dialect.name == 'sqlite' else POSTGRES_DOWN:
        op.execute(statement)
    for index in TENDER_LISTING_INDEXES:
        op.execute(f'DROP INDEX IF EXISTS {index.name}')
    op.drop_table('tender_listing')
    op.execute(
        'UPDATE tenders SET raw = (SELECT releases.payload FROM releases'
        ' WHERE releases.source_id = tenders.source_id AND releases.ocid = tenders.source_key'
        ' ORDER BY releases.id LIMIT 1) WHERE raw IS NULL'
    )
    with op.batch_alter_table('tenders', schema=None) as batch_op:
        batch_op.alter_column('raw', existing_type=JSON, nullable=False)
