"""Reads of the practices, one module per subject."""
