"""Reports: plain data (dicts with Decimal amounts keyed by currency) built from the core models."""
