"""Allow `python -m qualdesk`."""

from qualdesk.cli import main

if __name__ == "__main__":
    main()
