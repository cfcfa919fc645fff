"""Command line interface: thin commands over services."""
