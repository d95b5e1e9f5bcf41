"""qualdesk: a keyboard-first desk for qualifying marketing leads before sales."""

__version__ = "0.1.0"
