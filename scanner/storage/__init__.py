"""Persistence: engine set-up, schema migrations, and the stores that write through SQLAlchemy."""
