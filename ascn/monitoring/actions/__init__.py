"""Every write of the monitoring app, one module per part (reports, observations, the M&E report)."""
