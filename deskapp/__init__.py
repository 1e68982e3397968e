"""deskapp: the front desk of a property-management customer-service centre (物业客服中心).

Kept import-free on purpose: every receptionist pays for whatever this module
imports before the first paint.
"""

__version__ = "0.1.0"
