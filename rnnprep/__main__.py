"""`python -m rnnprep` runs the CLI."""

from rnnprep.cli import main

main()
