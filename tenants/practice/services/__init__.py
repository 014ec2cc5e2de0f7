"""Writes of the practices, one module per subject (settings, notices, audits, review,
campaigns, claims, grids); each call is one transaction and raises ServiceError with
field-named problems, leaving nothing half-written."""
