"""Reads of the finance app shown to users, through the permission layer, one module per part: `catalogue`
(the instruments and the financing-option guide), `business_cases` and `readiness`.

Other apps attach what they hold about an instrument to the catalogue with `add_instrument_prefetch` (the
knowledge hub: its published case studies), at this address."""

from .catalogue import add_instrument_prefetch

__all__ = ["add_instrument_prefetch"]
