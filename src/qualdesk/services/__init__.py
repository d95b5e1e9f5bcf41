"""Use cases shared by the TUI and the CLI; each owns its transactions."""
