"""Deterministic sample data for every source, written in each source's native format."""
