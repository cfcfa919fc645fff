"""The outbox's rules, free of storage: states, back-off and how SMTP replies are classed.

States: `pending` (known unsent, due at `next_attempt_at`), `sending` (claimed, DATA not yet
issued), `in_data` (DATA issued: from here a lost connection or a dead process is ambiguous),
`sent`, `failed` (permanent: 5xx, every recipient refused, attempts used up), `unknown` (maybe
delivered; never resent automatically, shown to the operator).
"""

from __future__ import annotations

from datetime import timedelta

PENDING = "pending"
SENDING = "sending"
IN_DATA = "in_data"
SENT = "sent"
FAILED = "failed"
UNKNOWN = "unknown"
STATUSES = (PENDING, SENDING, IN_DATA, SENT, FAILED, UNKNOWN)

FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)
MAX_ATTEMPTS = 12  # about a day and a half of doubling waits
CLAIM_LEASE = timedelta(minutes=15)  # a claim older than this is stale even if its owner lives


def backoff(attempts: int) -> timedelta:
    """Wait before attempt `attempts + 1`: 1, 2, 4 ... minutes, at most six hours."""
    wait: timedelta = FIRST_RETRY * (2 ** max(attempts - 1, 0))
    return min(wait, LONGEST_RETRY)


def is_permanent(code: int) -> bool:
    """5xx replies are permanent (RFC 5321 4.2.1); 4xx and anything unexpected are retried."""
    return 500 <= code < 600
