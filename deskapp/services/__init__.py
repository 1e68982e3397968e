"""Use cases: the only code that writes.

Each service validates its input, checks the actor's role, and writes the
change with its audit event in one write transaction, returning plain data.
"""
