"""Forms of the finance app, one module per part."""
