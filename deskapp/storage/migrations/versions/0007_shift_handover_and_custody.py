"""shift handover, duty log, items in custody, visitors

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25

- shift: one page per shift of the plan (unique duty_date + kind);
- duty_log_entry: listed newest first across shifts (at, id); append-only;
- handover: a shift hands over once (from_shift_id unique). A handover is
  written whole when the outgoing staff signs, so handover and handover_item
  refuse UPDATE and DELETE from then on (triggers below, whoever connects);
- handover_item: where a compiled line sits (section, position) and what it
  points at (ref, at, due_by, flagged, detail);
- handover_entry (new, append-only): acknowledgement, discrepancies, addenda,
  the supervisor's marks, remarks and review, each with its author and time;
- custody_item, custody_loan, visitor (new): items in custody (寄存, 钥匙托管,
  radios, cash float) and the visitor register (访客登记).

Columns are added to existing tables (no rebuild), with server defaults for
the rows already there; the new indexes are created, none dropped but the
from_shift_id index, made unique.
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # autogenerate writes AutoString without importing it
from alembic import op

import deskapp.storage.types

revision: str = '0007'
down_revision: Union[str, None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

APPEND_ONLY_TABLES = ('handover', 'handover_item', 'handover_entry', 'duty_log_entry')

# One entry per dialect, as for the audit log (0002).
def _sqlite_append_only(table: str) -> list[str]:
    return [
        f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} BEGIN
               SELECT RAISE(ABORT, '{table} is append-only: a signed record is never changed');
           END""",
        f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} BEGIN
               SELECT RAISE(ABORT, '{table} is append-only: a signed record is never changed');
           END""",
    ]


def _postgresql_append_only(table: str) -> list[str]:
    # Checked by hand on PostgreSQL 15: UPDATE, DELETE and TRUNCATE refused, INSERT allowed.
    return [
        f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
               FOR EACH ROW EXECUTE FUNCTION deskapp_handover_append_only()""",
        f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
               FOR EACH STATEMENT EXECUTE FUNCTION deskapp_handover_append_only()""",
    ]


_PG_FUNCTION = """CREATE OR REPLACE FUNCTION deskapp_handover_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: a signed record is never changed', TG_TABLE_NAME;
END
$$ LANGUAGE plpgsql"""

_ONCE = "kind IN ('acknowledge', 'review')"


def upgrade() -> None:
    with op.batch_alter_table('shift', schema=None) as batch_op:
        batch_op.create_index('uq_shift_duty_date_kind', ['duty_date', 'kind'], unique=True)
    with op.batch_alter_table('duty_log_entry', schema=None) as batch_op:
        batch_op.create_index('ix_duty_log_entry_at_id', ['at', 'id'], unique=False)
    with op.batch_alter_table('handover', schema=None) as batch_op:
        batch_op.drop_index('ix_handover_from_shift_id')
        batch_op.create_index('ix_handover_from_shift_id', ['from_shift_id'], unique=True)

    # Added column by column (ALTER TABLE ADD COLUMN): handover_item is not rebuilt.
    for column in (
        sa.Column('section', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False, server_default=''),
        sa.Column('position', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('ref', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False, server_default=''),
        sa.Column('at', deskapp.storage.types.UTCDateTime(), nullable=True),
        sa.Column('due_by', deskapp.storage.types.UTCDateTime(), nullable=True),
        sa.Column('flagged', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column('detail', sa.Text(), nullable=False, server_default=''),
    ):
        op.add_column('handover_item', column)

    op.create_table(
        'handover_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('handover_id', sa.Integer(), nullable=False),
        sa.Column('at', deskapp.storage.types.UTCDateTime(), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=True),
        sa.Column('shift_id', sa.Integer(), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['handover_id'], ['handover.id'], name=op.f('fk_handover_entry_handover_id_handover')),
        sa.ForeignKeyConstraint(['item_id'], ['handover_item.id'],
                                name=op.f('fk_handover_entry_item_id_handover_item')),
        sa.ForeignKeyConstraint(['shift_id'], ['shift.id'], name=op.f('fk_handover_entry_shift_id_shift')),
        sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_handover_entry_staff_id_staff')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_handover_entry')),
    )
    op.create_index(op.f('ix_handover_entry_handover_id'), 'handover_entry', ['handover_id'], unique=False)
    op.create_index(op.f('ix_handover_entry_item_id'), 'handover_entry', ['item_id'], unique=False)
    op.create_index('ix_handover_entry_kind_at', 'handover_entry', ['kind', 'at'], unique=False)
    op.create_index('uq_handover_entry_once', 'handover_entry', ['handover_id', 'kind'], unique=True,
                    sqlite_where=sa.text(_ONCE), postgresql_where=sa.text(_ONCE))

    op.create_table(
        'custody_item',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('owner_name', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('unit_code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('quantity', sa.Integer(), nullable=False),
        sa.Column('amount_yuan', sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('received_at', deskapp.storage.types.UTCDateTime(), nullable=False),
        sa.Column('received_by_id', sa.Integer(), nullable=False),
        sa.Column('released_at', deskapp.storage.types.UTCDateTime(), nullable=True),
        sa.Column('released_to', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('released_id_checked', sa.Boolean(), nullable=False),
        sa.Column('released_by_id', sa.Integer(), nullable=True),
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.ForeignKeyConstraint(['received_by_id'], ['staff.id'], name=op.f('fk_custody_item_received_by_id_staff')),
        sa.ForeignKeyConstraint(['released_by_id'], ['staff.id'], name=op.f('fk_custody_item_released_by_id_staff')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_custody_item')),
    )
    op.create_index(op.f('ix_custody_item_phone'), 'custody_item', ['phone'], unique=False)
    op.create_index('ix_custody_item_received_at_id', 'custody_item', ['received_at', 'id'], unique=False)
    op.create_index('ix_custody_item_status_kind', 'custody_item', ['status', 'kind'], unique=False)
    op.create_index(op.f('ix_custody_item_unit_code'), 'custody_item', ['unit_code'], unique=False)

    op.create_table(
        'custody_loan',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('lent_to', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('id_checked', sa.Boolean(), nullable=False),
        sa.Column('lent_at', deskapp.storage.types.UTCDateTime(), nullable=False),
        sa.Column('lent_by_id', sa.Integer(), nullable=False),
        sa.Column('returned_at', deskapp.storage.types.UTCDateTime(), nullable=True),
        sa.Column('returned_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['item_id'], ['custody_item.id'], name=op.f('fk_custody_loan_item_id_custody_item')),
        sa.ForeignKeyConstraint(['lent_by_id'], ['staff.id'], name=op.f('fk_custody_loan_lent_by_id_staff')),
        sa.ForeignKeyConstraint(['returned_by_id'], ['staff.id'], name=op.f('fk_custody_loan_returned_by_id_staff')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_custody_loan')),
    )
    op.create_index(op.f('ix_custody_loan_item_id'), 'custody_loan', ['item_id'], unique=False)
    op.create_index('uq_custody_loan_open', 'custody_loan', ['item_id'], unique=True,
                    sqlite_where=sa.text('returned_at IS NULL'), postgresql_where=sa.text('returned_at IS NULL'))

    op.create_table(
        'visitor',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', deskapp.storage.types.UTCDateTime(), nullable=False),
        sa.Column('visitor_name', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('id_checked', sa.Boolean(), nullable=False),
        sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('host_unit', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('host_name', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('appointment', sa.Boolean(), nullable=False),
        sa.Column('host_called', sa.Boolean(), nullable=False),
        sa.Column('allowed', sa.Boolean(), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_visitor_staff_id_staff')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_visitor')),
    )
    op.create_index('ix_visitor_at_id', 'visitor', ['at', 'id'], unique=False)
    op.create_index(op.f('ix_visitor_host_unit'), 'visitor', ['host_unit'], unique=False)
    op.create_index(op.f('ix_visitor_phone'), 'visitor', ['phone'], unique=False)

    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        for table in APPEND_ONLY_TABLES:
            for statement in _sqlite_append_only(table):
                op.execute(statement)
    elif dialect == 'postgresql':
        op.execute(_PG_FUNCTION)
        for table in APPEND_ONLY_TABLES:
            for statement in _postgresql_append_only(table):
                op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY_TABLES:
        if dialect == 'sqlite':
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        elif dialect == 'postgresql':
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    op.drop_table('visitor')
    op.drop_table('custody_loan')
    op.drop_table('custody_item')
    op.drop_table('handover_entry')
    with op.batch_alter_table('handover_item', schema=None) as batch_op:
        for name in ('detail', 'flagged', 'due_by', 'at', 'ref', 'position', 'section'):
            batch_op.drop_column(name)
    with op.batch_alter_table('handover', schema=None) as batch_op:
        batch_op.drop_index('ix_handover_from_shift_id')
        batch_op.create_index('ix_handover_from_shift_id', ['from_shift_id'], unique=False)
    with op.batch_alter_table('duty_log_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_duty_log_entry_at_id')
    with op.batch_alter_table('shift', schema=None) as batch_op:
        batch_op.drop_index('uq_shift_duty_date_kind')
    if dialect == 'postgresql':
        op.execute("DROP FUNCTION IF EXISTS deskapp_handover_append_only()")
