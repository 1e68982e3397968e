"""One module per screen of the desk (with its .tcss beside it where it has one).

Screens import Textual and deskapp's light modules only; the storage and
service layers are imported inside thread workers, after the first paint.
"""
