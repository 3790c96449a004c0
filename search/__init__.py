"""Event discovery: an in-memory index per ingress, kept current from the catalog topic."""
