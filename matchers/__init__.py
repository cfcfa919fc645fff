"""Scoring of tenders against organisations: pure functions over plain data.

One module per criterion (`text`, `keywords`, `cpv`, `value`, `geography`, `deadline`), the
`gates`, their combination in `score`, ranking at scale in `index` + `ranking`, and `consortia`.
Nothing here reads the clock, a database or settings: callers pass `now`, the data and the
`Weights` (from config/matching.toml via `load_weights`).
"""

from matchers.consortia import Consortium, Need, propose_consortia
from matchers.index import OpportunityIndex
from matchers.ranking import exhaustive_top, rank, top_matches
from matchers.result import Criterion, Gate, Match
from matchers.score import score
from matchers.text import CorpusStats
from matchers.types import Opportunity, OrgProfile
from matchers.weights import Weights, load_weights

__all__ = [
    "Consortium",
    "CorpusStats",
    "Criterion",
    "Gate",
    "Match",
    "Need",
    "Opportunity",
    "OpportunityIndex",
    "OrgProfile",
    "Weights",
    "exhaustive_top",
    "load_weights",
    "propose_consortia",
    "rank",
    "score",
    "top_matches",
]
