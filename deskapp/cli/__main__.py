"""`python -m deskapp.cli`: the command line without the app's fast path."""

from deskapp.cli import main

main()
