"""what the register screens need

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

- complaint: the follow-up clock (followup_by, followed_up_at), where the
  completion deadline came from (complete_by_source) and the class a
  mishandled complaint was raised from (raised_from_severity);
- dispatch_slip: when the fee was agreed (fee_agreed_at);
- return_visit: contact attempts, who is assigned (assigned_to_id);
- resident: owner or tenant (kind), active, source; residents without a phone
  may be several in one unit (a partial unique index replaces the constraint);
- a person column ends in _id, a deadline in _by: handover.handed_by,
  received_by, reviewed_by, return_visit.reviewed_by and
  incident_report.reported_by become *_by_id;
- an index on each foreign key a register looks records up by;
- audit_event is append-only: triggers refuse UPDATE and DELETE.

`call` is never rebuilt, so its full-text index and triggers stay as they are;
complaint and dispatch_slip only gain columns and indexes (no rebuild either).
The tables that are rebuilt (resident, return_visit, handover,
incident_report) are copied with foreign keys off, as deskapp.storage.migrate
runs every migration.

Existing rows get the values their old columns imply (see _backfill); the rest
start empty: followup_by is set by the complaint service, not guessed here.
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # autogenerate writes AutoString without importing it
from alembic import op

import deskapp.storage.types

revision: str = '0002'
down_revision: Union[str, None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# Person columns renamed, per table: old name -> new name.
RENAMED = {
    'handover': {'handed_by': 'handed_by_id', 'received_by': 'received_by_id', 'reviewed_by': 'reviewed_by_id'},
    'return_visit': {'reviewed_by': 'reviewed_by_id'},
    'incident_report': {'reported_by': 'reported_by_id'},
}

# New indexes on foreign keys, per table (name follows the metadata convention ix_<table>_<column>).
FK_INDEXES = {
    'complaint': ['call_id', 'department_id', 'owner_id'],
    'dispatch_slip': ['call_id', 'complaint_id', 'department_id', 'owner_id'],
    'return_visit': ['complaint_id', 'slip_id', 'assigned_to_id'],
    'handover': ['to_shift_id'],
}

# The audit log refuses changes at the database level, whoever connects.
# One entry per dialect; the PostgreSQL issue adds its own beside this one.
# A later migration that must rebuild audit_event drops and recreates these.
AUDIT_APPEND_ONLY = {
    'sqlite': [
        """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event BEGIN
            SELECT RAISE(ABORT, 'audit_event is append-only');
        END""",
        """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event BEGIN
            SELECT RAISE(ABORT, 'audit_event is append-only');
        END""",
    ],
    # One refusing function for every append-only table (0003 uses it too); TRUNCATE
    # is refused as well, which SQLite does not have. SQLSTATE 23001 (restrict_violation)
    # reaches the driver as an IntegrityError, as SQLite's RAISE(ABORT) does.
    'postgresql': [
        """CREATE OR REPLACE FUNCTION desk_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
            END $$""",
        """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
            FOR EACH ROW EXECUTE FUNCTION desk_append_only()""",
        """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
            FOR EACH ROW EXECUTE FUNCTION desk_append_only()""",
        """CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
            FOR EACH STATEMENT EXECUTE FUNCTION desk_append_only()""",
    ],
}
AUDIT_APPEND_ONLY_DROP = {
    'sqlite': [
        "DROP TRIGGER IF EXISTS audit_event_no_update",
        "DROP TRIGGER IF EXISTS audit_event_no_delete",
    ],
    'postgresql': [
        "DROP TRIGGER IF EXISTS audit_event_no_update ON audit_event",
        "DROP TRIGGER IF EXISTS audit_event_no_delete ON audit_event",
        "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event",
        "DROP FUNCTION IF EXISTS desk_append_only()",
    ],
}

PHONE_GIVEN = "phone <> ''"


def _rename_people(table: str, renames: dict[str, str]) -> None:
    """Rename person columns, then their foreign keys to what the naming convention gives.

    Two steps so that each reads the same on every dialect: a rename carries the
    column's foreign key along (SQLite: batch copy; PostgreSQL: RENAME COLUMN),
    and the key is then re-made under its new name on the new column.
    """
    with op.batch_alter_table(table, schema=None) as batch_op:
        for old, new in renames.items():
            batch_op.alter_column(old, new_column_name=new)
    with op.batch_alter_table(table, schema=None) as batch_op:
        for old, new in renames.items():
            batch_op.drop_constraint(f'fk_{table}_{old}_staff', type_='foreignkey')
            batch_op.create_foreign_key(f'fk_{table}_{new}_staff', 'staff', [new], ['id'])


def upgrade() -> None:
    dialect = op.get_bind().dialect.name

    # complaint and dispatch_slip: new nullable columns and indexes (ALTER TABLE ADD COLUMN, no rebuild)
    op.add_column('complaint', sa.Column('raised_from_severity', sqlmodel.sql.sqltypes.AutoString(length=12),
                                         nullable=True))
    op.add_column('complaint', sa.Column('complete_by_source', sqlmodel.sql.sqltypes.AutoString(length=10),
                                         nullable=True))
    op.add_column('complaint', sa.Column('followup_by', deskapp.storage.types.UTCDateTime(timezone=True),
                                         nullable=True))
    op.add_column('complaint', sa.Column('followed_up_at', deskapp.storage.types.UTCDateTime(timezone=True),
                                         nullable=True))
    op.create_index(op.f('ix_complaint_followup_by'), 'complaint', ['followup_by'], unique=False)
    op.add_column('dispatch_slip', sa.Column('fee_agreed_at', deskapp.storage.types.UTCDateTime(timezone=True),
                                             nullable=True))

    # resident: new columns; the table constraint becomes a partial unique index (rebuild)
    with op.batch_alter_table('resident', schema=None) as batch_op:
        # Existing residents were all learnt from calls: owner or tenant is not known.
        batch_op.add_column(sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('active', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False,
                                      server_default='call'))
        batch_op.drop_constraint('uq_resident_phone_unit', type_='unique')
    op.create_index('uq_resident_phone_unit', 'resident', ['phone', 'unit_id'], unique=True,
                    sqlite_where=sa.text(PHONE_GIVEN), postgresql_where=sa.text(PHONE_GIVEN))

    # return_visit: attempts and assignee (rebuild)
    with op.batch_alter_table('return_visit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assigned_to_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('last_attempt_at', deskapp.storage.types.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('next_attempt_at', deskapp.storage.types.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.create_foreign_key(op.f('fk_return_visit_assigned_to_id_staff'), 'staff', ['assigned_to_id'], ['id'])

    # person columns renamed (return_visit, handover, incident_report: rebuilt)
    for table, renames in RENAMED.items():
        _rename_people(table, renames)

    for table, columns in FK_INDEXES.items():
        for column in columns:
            op.create_index(op.f(f'ix_{table}_{column}'), table, [column], unique=False)

    _backfill()

    for statement in AUDIT_APPEND_ONLY.get(dialect, []):
        op.execute(statement)


def _backfill() -> None:
    """Values the old columns already imply; plain SQL that SQLite and PostgreSQL both run."""
    # The deadline is the customer's (通常) or the agreed one (重大/尤其重大) when it
    # equals what was given at intake; any other deadline came from the policy.
    op.execute("""
        UPDATE complaint SET complete_by_source = CASE
            WHEN complete_by IS NULL THEN NULL
            WHEN customer_deadline IS NOT NULL AND complete_by = customer_deadline AND severity = 'ordinary'
                THEN 'customer'
            WHEN customer_deadline IS NOT NULL AND complete_by = customer_deadline THEN 'agreed'
            ELSE 'policy' END
    """)
    # A class raised for mishandling names the earlier class in its rule codes
    # (deskapp.core.severity: "mishandled:<class>").
    op.execute("""
        UPDATE complaint SET raised_from_severity = CASE
            WHEN ',' || severity_rules || ',' LIKE '%,mishandled:ordinary,%' THEN 'ordinary'
            WHEN ',' || severity_rules || ',' LIKE '%,mishandled:significant,%' THEN 'significant'
            WHEN ',' || severity_rules || ',' LIKE '%,mishandled:major,%' THEN 'major'
            END
        WHERE severity_rules LIKE '%mishandled:%'
    """)
    # A visit made was one successful attempt, by the person who was to make it.
    op.execute("""
        UPDATE return_visit SET attempts = 1, last_attempt_at = visited_at, assigned_to_id = visitor_id
        WHERE visited_at IS NOT NULL
    """)


def downgrade() -> None:
    # 0001 allowed one resident per (phone, unit): refuse rather than drop anyone.
    crowded = op.get_bind().execute(sa.text(
        "SELECT count(*) FROM (SELECT 1 FROM resident WHERE unit_id IS NOT NULL "
        "GROUP BY phone, unit_id HAVING count(*) > 1) AS d"
    )).scalar()
    if crowded:
        raise RuntimeError(
            f"cannot downgrade to 0001: {crowded} unit(s) hold several residents without a phone, "
            "which 0001 does not allow"
        )

    dialect = op.get_bind().dialect.name
    for statement in AUDIT_APPEND_ONLY_DROP.get(dialect, []):
        op.execute(statement)

    for table, columns in FK_INDEXES.items():
        for column in columns:
            op.drop_index(op.f(f'ix_{table}_{column}'), table_name=table)

    for table, renames in RENAMED.items():
        _rename_people(table, {new: old for old, new in renames.items()})

    with op.batch_alter_table('return_visit', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_return_visit_assigned_to_id_staff'), type_='foreignkey')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('last_attempt_at')
        batch_op.drop_column('attempts')
        batch_op.drop_column('assigned_to_id')

    op.drop_index('uq_resident_phone_unit', table_name='resident')
    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_resident_phone_unit', ['phone', 'unit_id'])
        batch_op.drop_column('source')
        batch_op.drop_column('active')
        batch_op.drop_column('kind')

    op.drop_column('dispatch_slip', 'fee_agreed_at')
    op.drop_index(op.f('ix_complaint_followup_by'), table_name='complaint')
    op.drop_column('complaint', 'followed_up_at')
    op.drop_column('complaint', 'followup_by')
    op.drop_column('complaint', 'complete_by_source')
    op.drop_column('complaint', 'raised_from_severity')
