"""Pure domain core of deskapp: rules of the desk as functions of their inputs and `now`.

No I/O apart from reading the site's TOML policy files, no Textual, no storage.
Submodules are imported explicitly (``from deskapp.core.severity import classify``)
so that importing this package costs nothing.
"""
