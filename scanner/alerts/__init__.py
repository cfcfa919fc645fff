"""Digest emails: pure content, rendering, signed links, MIME and SMTP delivery (issue 6).

Nothing here touches the database; `scanner.storage.digests` keeps the outbox and
`scanner.services.digests` puts the parts together. See docs/alerts.md.
"""
