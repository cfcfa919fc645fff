"""redetect languages: every stored tender's detected languages are cleared, so the next
matching run detects them again with the language each notice declares as the detector's
prior (`scanner.ingest.declared_language`, `matchers.detect`): short titles had been read as
another language ("Бензин" as Russian, "Supply of laptops and monitors" as Danish) and analysed
with that language's stemmer and stop words. No schema change; matching detects only tenders
whose `language` is NULL (about 10,000 texts a second).

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 13:30:00
"""

from __future__ import annotations

from alembic import op

revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "UPDATE tenders SET language = NULL, title_language = NULL"
        " WHERE language IS NOT NULL OR title_language IS NOT NULL"
    )


def downgrade() -> None:
    pass  # the languages are detected again by the next matching run either way
