"""Text search and the officer list's text filters, through each database's own index.

Search is by words: every word of the query must begin a word of the tender's title or
buyer, in any case and order ("child soft" finds "Software for children's services"). SQLite
answers from the FTS5 table `tender_text`; PostgreSQL from a GIN index on the `tsvector` of
title and buyer. (The officer list's filters keep their substring and prefix meaning: they read the narrow
`tender_listing` table, see `scanner.services.web_officer`.)

The text configuration is 'simple' (no stemming, no stop words), alike on both databases.
Hook: when tenders carry a detected language, `POSTGRES_TEXT_VECTOR` can add the vector of the
notice's own configuration (`english`, `french`, ...) beside the simple one, so that stemmed
forms match too; the query side needs no change, since the simple words stay in the vector.
"""

from __future__ import annotations

import re

from sqlalchemy import Select, column, func, literal_column, or_, select, table, text

from scanner.models import Tender

TEXT_CONFIG = "simple"
# The indexed expression (migration 0016); a query must spell it the same way.
POSTGRES_TEXT_VECTOR = (
    f"to_tsvector('{TEXT_CONFIG}'::regconfig, "
    "coalesce(tenders.title, '') || ' ' || coalesce(tenders.buyer_name, ''))"
)
# Letters and digits: both indexes split words at "_" as at any other punctuation.
_WORD_RE = re.compile(r"[^\W_]+")
_LIKE_SPECIALS = re.compile(r"[%_\\]")

_tender_text = table("tender_text", column("rowid"))


def query_words(query: str) -> list[str]:
    """The words of a search query, lower-cased, in order, without repeats."""
    return list(dict.fromkeys(word.lower() for word in _WORD_RE.findall(query)))


def words_match(dialect: str, query: str) -> Select[int]:
    """Ids of the tenders where every word of `query` begins a word of the title or buyer.

    A query without any word (only punctuation) matches the text as a substring instead."""
    words = query_words(query)
    if not words:
        pattern = f"%{like_escape(query.lower())}%"
        return select(Tender.id).where(
            or_(
                func.lower(Tender.title).like(pattern, escape="\\"),
                func.lower(Tender.buyer_name).like(pattern, escape="\\"),
            )
        )
    if dialect == "postgresql":
        terms = " & ".join(f"{word}:*" for word in words)
        query_vector = func.to_tsquery(literal_column(f"'{TEXT_CONFIG}'::regconfig"), terms)
        return select(Tender.id).where(literal_column(POSTGRES_TEXT_VECTOR).op("@@")(query_vector))
    expression = " ".join(f'"{word}"*' for word in words)
    return select(_tender_text.c.rowid).where(
        text("tender_text MATCH :words").bindparams(words=expression)
    )


def like_escape(text_: str) -> str:
    """`text_` as a literal inside a LIKE pattern with ESCAPE '\\'."""
    return _LIKE_SPECIALS.sub(lambda m: "\\" + m.group(0), text_)


__all__ = ["like_escape", "query_words", "words_match"]
