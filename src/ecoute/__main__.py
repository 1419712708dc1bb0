"""`python -m ecoute` runs the `ecoute` command."""

from ecoute.cli import main

main()
