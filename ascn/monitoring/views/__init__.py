"""Pages of monitoring and evaluation, one module per part; each module lists its own `urlpatterns`."""
