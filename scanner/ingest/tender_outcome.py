"""Which outcome reader applies to a stored tender: the one place that knows where each
source keeps its outcomes."""

from __future__ import annotations

from scanner.ingest.ocds_outcomes import outcome_of_release
from scanner.ingest.outcome import Outcome
from scanner.ingest.tender import NormalisedTender
from scanner.ingest.xml_eforms_outcomes import eforms_outcome

__all__ = ["outcome_of_tender"]

NO_OUTCOMES = "this source publishes no outcomes Lotwise reads"
# An eForms notice read from a file or feed, and one fetched by the TED API spider.
EFORMS_FORMATS = frozenset({"eforms", "ted-api+eforms"})


def outcome_of_tender(tender: NormalisedTender) -> Outcome:
    """The outcome a tender's source published: from the compiled OCDS release in `raw`, from
    the eForms result kept in `raw["result"]` at parse time, else the procedure type only."""
    raw = tender.raw
    if raw.get("format") in EFORMS_FORMATS:
        return eforms_outcome(tender.procedure_type, raw.get("result"))
    if isinstance(raw.get("ocid"), str):
        return outcome_of_release(raw)
    return Outcome(method_details=tender.procedure_type, unknowns=(NO_OUTCOMES,))
