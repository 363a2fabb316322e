"""Reads of the monitoring app shown to users, through the permission layer, one module per part."""
