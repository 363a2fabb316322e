"""Background tasks of the monitoring app, one module per part."""
