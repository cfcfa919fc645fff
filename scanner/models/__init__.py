"""SQLAlchemy 2 typed models. They import nothing else of Lotwise's."""

from scanner.models.assessment import SplitAssessment
from scanner.models.base import Base, UTCDateTime
from scanner.models.canonical import (
    CanonicalMember,
    CanonicalOpportunity,
    DedupeExclusion,
    TenderValue,
)
from scanner.models.crawl import CrawlError, CrawlRun
from scanner.models.digest import Digest, DigestPreference
from scanner.models.generation import DataGeneration
from scanner.models.listing import TenderListing, TenderListingCode, TenderListingVersion
from scanner.models.match import Match
from scanner.models.organisation import Organisation
from scanner.models.outcome import Award, AwardSupplier, Supplier, TenderOutcome
from scanner.models.scheduler import SchedulerJob, SourceLock
from scanner.models.source import Source
from scanner.models.tender import Lot, Release, Tender
from scanner.models.tracking import CalendarFeed, Tracking
from scanner.models.web import AuthAttempt, AuthToken, SuggestionFeedback, User, WebSession

__all__ = [
    "AuthAttempt",
    "AuthToken",
    "Award",
    "AwardSupplier",
    "Base",
    "CalendarFeed",
    "CanonicalMember",
    "CanonicalOpportunity",
    "CrawlError",
    "CrawlRun",
    "DataGeneration",
    "DedupeExclusion",
    "Digest",
    "DigestPreference",
    "Lot",
    "Match",
    "Organisation",
    "Release",
    "SchedulerJob",
    "Source",
    "SourceLock",
    "SplitAssessment",
    "SuggestionFeedback",
    "Supplier",
    "Tender",
    "TenderListing",
    "TenderListingCode",
    "TenderListingVersion",
    "TenderOutcome",
    "TenderValue",
    "Tracking",
    "UTCDateTime",
    "User",
    "WebSession",
]
