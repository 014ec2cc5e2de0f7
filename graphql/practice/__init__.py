"""The provinces' practices over GraphQL: cadence, notices/劝辞, audits, closing-period
review, campaigns, 点单 and grids (liaison.tenants.practice)."""
