"""Lotwise core: models, storage, ingest, services, CLI."""

__version__ = "0.1.0"
