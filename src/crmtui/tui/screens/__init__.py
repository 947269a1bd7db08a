"""One screen per view; modals return their value with `dismiss`."""
