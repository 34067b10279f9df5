"""`python -m app.cli`: the same as the `betgraph` command."""

from app.cli import main

main()
