"""Every write of the finance app, validated, atomic and audited, one module per part: `catalogue`,
`business_cases` and `readiness`.

`create_business_case` keeps its address here for callers outside the app."""

from .business_cases import create_business_case

__all__ = ["create_business_case"]
