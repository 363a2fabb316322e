"""Every write of the partnerships app, one module per part (offers and needs, surveys, matching and interest,
cooperation records, business-matching sessions)."""
