"""What an eForms result notice says each lot was awarded for, read for
`scanner.ingest.eforms`.

Result notices rarely repeat the lots' estimated values; the awarded value is the best
evidence of a lot's size. It is spread over `efac:NoticeResult`: each `efac:LotTender` (a
tender for one lot, with its `cac:LegalMonetaryTotal/cbc:PayableAmount`) and each
`efac:SettledContract`, which lists the tenders that won. A lot's awarded value is the sum of
its winning tenders' amounts (one currency only; several winners share a framework).
"""

from __future__ import annotations

from decimal import Decimal

from scanner.ingest.money import parse_amount, parse_currency
from scanner.ingest.xml_safe import Element

__all__ = ["awarded_lot_values"]


def awarded_lot_values(root: Element, ns: dict[str, str]) -> dict[str, tuple[Decimal, str | None]]:
    """Lot id -> (awarded amount, currency) from the notice result, for lots with a winner."""
    result = root.find("ext:UBLExtensions//efac:NoticeResult", ns)
    if result is None:
        return {}
    winners = {
        (ref.text or "").strip()
        for ref in result.iterfind("efac:SettledContract/efac:LotTender/cbc:ID", ns)
    }
    totals: dict[str, tuple[Decimal, str | None]] = {}
    mixed: set[str] = set()
    for tender in result.iterfind("efac:LotTender", ns):
        tender_id = (tender.findtext("cbc:ID", namespaces=ns) or "").strip()
        lot_id = (tender.findtext("efac:TenderLot/cbc:ID", namespaces=ns) or "").strip()
        payable = tender.find("cac:LegalMonetaryTotal/cbc:PayableAmount", ns)
        if tender_id not in winners or not lot_id or payable is None:
            continue
        amount = parse_amount((payable.text or "").strip())
        if not amount:
            continue
        currency = parse_currency(payable.get("currencyID"))
        if lot_id in totals:
            total, known = totals[lot_id]
            if known != currency:
                mixed.add(lot_id)  # amounts in two currencies do not add up
                continue
            amount += total
        totals[lot_id] = (amount, currency)
    return {lot_id: value for lot_id, value in totals.items() if lot_id not in mixed}
