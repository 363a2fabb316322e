"""Pages of the partnerships app, one module per part; `urls.py` joins their patterns."""
