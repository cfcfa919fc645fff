"""Cross-source de-duplication, pure: text normalisation, identifiers, blocking, pair scoring
with reasons, and grouping. No storage, settings or clock: the caller passes data and config."""

from scanner.dedupe.blocking import BlockIndex
from scanner.dedupe.config import DedupeConfig, DedupeConfigError, load_dedupe_config, parse_config
from scanner.dedupe.grouping import Grouping, Merge, deduplicate
from scanner.dedupe.identifiers import Identifiers, identifiers_of
from scanner.dedupe.records import Record, make_record
from scanner.dedupe.scoring import PairScore, score_pair

__all__ = [
    "BlockIndex",
    "DedupeConfig",
    "DedupeConfigError",
    "Grouping",
    "Identifiers",
    "Merge",
    "PairScore",
    "Record",
    "deduplicate",
    "identifiers_of",
    "load_dedupe_config",
    "make_record",
    "parse_config",
    "score_pair",
]
