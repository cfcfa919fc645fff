"""Turning source payloads into normalised tenders: parsing, repair, compilation, normalisation."""
