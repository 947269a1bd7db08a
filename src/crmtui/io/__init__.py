"""Moving data in and out: CSV and vCard import with batches and undo, CSV/JSON/vCard export."""
