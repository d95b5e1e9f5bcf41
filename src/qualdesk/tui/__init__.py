"""The terminal desk (Textual). Screens show and ask; services decide and store."""
