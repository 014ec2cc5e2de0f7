"""The provinces' own practices that keep deputies working (docs/DOMAIN.md, "Practices"):
deputy cadence, attendance notices and 劝辞, random audits with 公示, the closing-period
suggestion review, the themed annual campaign, 点单/接单/领单, grids, and the
resolution rate. Models, services (writes) and selectors (reads) per subject."""
