"""Pure business rules: no I/O, no database, no UI; the clock is always passed in."""
