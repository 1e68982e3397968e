"""One module per register that `deskapp export` offers, each defining `REGISTER` (an ExportRegister).

Add a register by adding a module here (see calls.py): services.export.registers()
finds it; nothing else needs an edit.
"""
