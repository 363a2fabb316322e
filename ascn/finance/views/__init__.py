"""Pages of the finance app, one module per part; each module lists its own `urlpatterns`."""
