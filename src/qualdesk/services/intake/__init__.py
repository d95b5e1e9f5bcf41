"""Lead files in: import, batches and their rejects, the do-not-call list."""
