"""performance: a tender's raw payload written once; listing keys, indexes and text search that
serve the officer list and the API's tender listing without reading every row (issue 16)

- `tenders.raw` becomes nullable: a tender made from one release leaves it NULL and reads
  that release from `releases` (see `Tender.raw`).
- `split_assessments` gains the officer list's sort keys from the tender (deadline,
  publication, buyer), kept equal to the tender's by triggers, and one index per sort.
- Tenders: an index for the API listing's order (newest publication first).
- Search: SQLite FTS5 tables kept by triggers (`tender_text`: words of title and buyer;
  `tender_facets`: trigrams of buyer, CPV codes and regions, for the list's substring and
  prefix filters); PostgreSQL a GIN index on the `tsvector` of title and buyer and, when the
  `pg_trgm` extension can be had, trigram GIN indexes for the same filters.

Revision ID: 0016
Revises: 0008
Create Date: 2026-12-07 19:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from scanner.models.assessment import LISTING_INDEXES
from scanner.models.tender import TENDER_LISTING_INDEXES
from scanner.storage.search import POSTGRES_TEXT_VECTOR

revision = '0016'
down_revision = '0008'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
LISTING_KEYS = ('deadline_at', 'published_at', 'buyer_name')

SQLITE_UP = [
    # Listing keys follow the tender: on assessment insert, and when the tender changes.
    """CREATE TRIGGER split_assessments_listing_keys AFTER INSERT ON split_assessments BEGIN
        UPDATE split_assessments SET (deadline_at, published_at, buyer_name) =
            (SELECT deadline_at, published_at, buyer_name FROM tenders WHERE id = NEW.tender_id)
        WHERE id = NEW.id;
    END""",
    """CREATE TRIGGER tenders_listing_keys AFTER UPDATE OF deadline_at, published_at, buyer_name
    ON tenders WHEN OLD.deadline_at IS NOT NEW.deadline_at
        OR OLD.published_at IS NOT NEW.published_at OR OLD.buyer_name IS NOT NEW.buyer_name
    BEGIN
        UPDATE split_assessments SET (deadline_at, published_at, buyer_name) =
            (NEW.deadline_at, NEW.published_at, NEW.buyer_name)
        WHERE tender_id = NEW.id;
    END""",
    # Words of title and buyer (search), trigrams of buyer, CPV codes and regions (filters).
    """CREATE VIRTUAL TABLE tender_text USING fts5(title, buyer_name, content='tenders',
        content_rowid='id', tokenize='unicode61 remove_diacritics 0')""",
    """CREATE VIRTUAL TABLE tender_facets USING fts5(buyer_name, cpv_codes, regions,
        content='tenders', content_rowid='id', tokenize='trigram')""",
    """CREATE TRIGGER tenders_search_insert AFTER INSERT ON tenders BEGIN
        INSERT INTO tender_text (rowid, title, buyer_name)
            VALUES (NEW.id, NEW.title, NEW.buyer_name);
        INSERT INTO tender_facets (rowid, buyer_name, cpv_codes, regions)
            VALUES (NEW.id, NEW.buyer_name, NEW.cpv_codes, NEW.regions);
    END""",
    """CREATE TRIGGER tenders_search_delete AFTER DELETE ON tenders BEGIN
        INSERT INTO tender_text (tender_text, rowid, title, buyer_name)
            VALUES ('delete', OLD.id, OLD.title, OLD.buyer_name);
        INSERT INTO tender_facets (tender_facets, rowid, buyer_name, cpv_codes, regions)
            VALUES ('delete', OLD.id, OLD.buyer_name, OLD.cpv_codes, OLD.regions);
    END""",
    """CREATE TRIGGER tenders_text_update AFTER UPDATE OF title, buyer_name ON tenders
    WHEN OLD.title IS NOT NEW.title OR OLD.buyer_name IS NOT NEW.buyer_name BEGIN
        INSERT INTO tender_text (tender_text, rowid, title, buyer_name)
            VALUES ('delete', OLD.id, OLD.title, OLD.buyer_name);
        INSERT INTO tender_text (rowid, title, buyer_name)
            VALUES (NEW.id, NEW.title, NEW.buyer_name);
    END""",
    """CREATE TRIGGER tenders_facets_update AFTER UPDATE OF buyer_name, cpv_codes, regions
    ON tenders WHEN OLD.buyer_name IS NOT NEW.buyer_name OR OLD.cpv_codes IS NOT NEW.cpv_codes
        OR OLD.regions IS NOT NEW.regions
    BEGIN
        INSERT INTO tender_facets (tender_facets, rowid, buyer_name, cpv_codes, regions)
            VALUES ('delete', OLD.id, OLD.buyer_name, OLD.cpv_codes, OLD.regions);
        INSERT INTO tender_facets (rowid, buyer_name, cpv_codes, regions)
            VALUES (NEW.id, NEW.buyer_name, NEW.cpv_codes, NEW.regions);
    END""",
    "INSERT INTO tender_text (tender_text) VALUES ('rebuild')",
    "INSERT INTO tender_facets (tender_facets) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS tenders_facets_update",
    "DROP TRIGGER IF EXISTS tenders_text_update",
    "DROP TRIGGER IF EXISTS tenders_search_delete",
    "DROP TRIGGER IF EXISTS tenders_search_insert",
    "DROP TABLE IF EXISTS tender_facets",
    "DROP TABLE IF EXISTS tender_text",
    "DROP TRIGGER IF EXISTS tenders_listing_keys",
    "DROP TRIGGER IF EXISTS split_assessments_listing_keys",
]

POSTGRES_UP = [
    """CREATE FUNCTION lotwise_listing_keys_from_tender() RETURNS trigger AS $$
    BEGIN
        SELECT t.deadline_at, t.published_at, t.buyer_name
            INTO NEW.deadline_at, NEW.published_at, NEW.buyer_name
            FROM tenders t WHERE t.id = NEW.tender_id;
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER split_assessments_listing_keys BEFORE INSERT OR UPDATE OF tender_id
    ON split_assessments FOR EACH ROW EXECUTE FUNCTION lotwise_listing_keys_from_tender()""",
    """CREATE FUNCTION lotwise_listing_keys_to_assessment() RETURNS trigger AS $$
    BEGIN
        UPDATE split_assessments SET deadline_at = NEW.deadline_at,
            published_at = NEW.published_at, buyer_name = NEW.buyer_name
            WHERE tender_id = NEW.id;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER tenders_listing_keys AFTER UPDATE OF deadline_at, published_at, buyer_name
    ON tenders FOR EACH ROW WHEN (OLD.deadline_at IS DISTINCT FROM NEW.deadline_at
        OR OLD.published_at IS DISTINCT FROM NEW.published_at
        OR OLD.buyer_name IS DISTINCT FROM NEW.buyer_name)
    EXECUTE FUNCTION lotwise_listing_keys_to_assessment()""",
    f"CREATE INDEX ix_tenders_text_search ON tenders USING gin (({POSTGRES_TEXT_VECTOR}))",
]
# Trigram indexes for the list's substring and prefix filters (the same expressions as the
# queries in `scanner.storage.search`). pg_trgm is a trusted extension; without it the
# filters still work, reading every row.
POSTGRES_TRIGRAM = [
    "CREATE INDEX ix_tenders_buyer_trigram ON tenders USING gin "
    "(lower(buyer_name) public.gin_trgm_ops)",
    "CREATE INDEX ix_tenders_cpv_trigram ON tenders USING gin "
    "(CAST(cpv_codes AS VARCHAR) public.gin_trgm_ops)",
    "CREATE INDEX ix_tenders_regions_trigram ON tenders USING gin "
    "(CAST(regions AS VARCHAR) public.gin_trgm_ops)",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS ix_tenders_regions_trigram",
    "DROP INDEX IF EXISTS ix_tenders_cpv_trigram",
    "DROP INDEX IF EXISTS ix_tenders_buyer_trigram",
    "DROP INDEX IF EXISTS ix_tenders_text_search",
    "DROP TRIGGER IF EXISTS tenders_listing_keys ON tenders",
    "DROP FUNCTION IF EXISTS lotwise_listing_keys_to_assessment()",
    "DROP TRIGGER IF EXISTS split_assessments_listing_keys ON split_assessments",
    "DROP FUNCTION IF EXISTS lotwise_listing_keys_from_tender()",
]


def upgrade() -> None:
    with op.batch_alter_table('tenders', schema=None) as batch_op:
        batch_op.alter_column('raw', existing_type=JSON, nullable=True)
    with op.batch_alter_table('split_assessments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deadline_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('published_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('buyer_name', sa.String(length=1000), nullable=True))
    for column in LISTING_KEYS:
        op.execute(
            f'UPDATE split_assessments SET {column} = '
            f'(SELECT tenders.{column} FROM tenders WHERE tenders.id = split_assessments.tender_id)'
        )
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
    for index in [*TENDER_LISTING_INDEXES, *LISTING_INDEXES]:
        op.execute(f'DROP INDEX IF EXISTS {index.name}')
    with op.batch_alter_table('split_assessments', schema=None) as batch_op:
        for column in reversed(LISTING_KEYS):
            batch_op.drop_column(column)
    op.execute(
        'UPDATE tenders SET raw = (SELECT releases.payload FROM releases'
        ' WHERE releases.source_id = tenders.source_id AND releases.ocid = tenders.source_key'
        ' ORDER BY releases.id LIMIT 1) WHERE raw IS NULL'
    )
    with op.batch_alter_table('tenders', schema=None) as batch_op:
        batch_op.alter_column('raw', existing_type=JSON, nullable=False)
