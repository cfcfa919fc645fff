"""SQLAlchemy 2 typed models. They import nothing else of Lotwise's."""

from scanner.models.assessment import SplitAssessment
from scanner.models.base import Base, UTCDateTime
from scanner.models.crawl import CrawlError, CrawlRun
from scanner.models.digest import Digest, DigestPreference
from scanner.models.match import Match
from scanner.models.organisation import Organisation
from scanner.models.source import Source
from scanner.models.tender import Lot, Release, Tender

__all__ = [
    "Base",
    "CrawlError",
    "CrawlRun",
    "Digest",
    "DigestPreference",
    "Lot",
    "Match",
    "Organisation",
    "Release",
    "Source",
    "SplitAssessment",
    "Tender",
    "UTCDateTime",
]
