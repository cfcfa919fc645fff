"""Scoring of tenders against organisations: pure functions over plain data."""
