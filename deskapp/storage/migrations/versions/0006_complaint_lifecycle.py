"""complaint lifecycle: timeline, version, close and next clocks; incident link

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25

The complaint service (deskapp/services/complaints.py) needs, beside the
columns of 0001/0002:

- complaint.version: bumped by every change; a save that read an older
  version is refused (two terminals, no lost update);
- who in the department signed the form for (signed_for_by), the close clock
  (close_by, closed_at), the next clock the board counts down to (next_clock,
  next_due_by, stored when the complaint changes, never recomputed per
  render), the first complaint of the same event (same_event_id: several
  customers about one unhandled event count as times raised) and the level a
  missed clock has escalated to (escalation_level, 三级负责制);
- complaint_step: the timeline, one row per step, append-only like the audit
  log (SQLite triggers; other databases get theirs with their own support);
- the board's index: open complaints by their next deadline (partial);
- incident_report: the complaint it was raised from, and when it reached the
  CS manager (delivered_at stops its reporting clock).

Only new columns (ALTER TABLE ADD COLUMN) and a new table: no table is rebuilt.
same_event_id and incident_report.complaint_id carry no foreign-key
constraint, because SQLite cannot add one without rebuilding the table.
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

import deskapp.storage.types

revision: str = '0006'
down_revision: Union[str, None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

APPEND_ONLY = {
    'sqlite': [
        """CREATE TRIGGER complaint_step_no_update BEFORE UPDATE ON complaint_step BEGIN
               SELECT RAISE(ABORT, 'complaint_step is append-only');
           END""",
        """CREATE TRIGGER complaint_step_no_delete BEFORE DELETE ON complaint_step BEGIN
               SELECT RAISE(ABORT, 'complaint_step is append-only');
           END""",
    ],
    # desk_append_only() is 0002's.
    'postgresql': [
        """CREATE TRIGGER complaint_step_no_update BEFORE UPDATE ON complaint_step
               FOR EACH ROW EXECUTE FUNCTION desk_append_only()""",
        """CREATE TRIGGER complaint_step_no_delete BEFORE DELETE ON complaint_step
               FOR EACH ROW EXECUTE FUNCTION desk_append_only()""",
        """CREATE TRIGGER complaint_step_no_truncate BEFORE TRUNCATE ON complaint_step
               FOR EACH STATEMENT EXECUTE FUNCTION desk_append_only()""",
    ],
}

_OPEN = "status NOT IN ('closed', 'void')"


def _at(name: str) -> sa.Column:
    return sa.Column(name, deskapp.storage.types.UTCDateTime(timezone=True), nullable=True)


def upgrade() -> None:
    op.add_column('complaint', sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
    op.add_column('complaint', sa.Column('signed_for_by', sqlmodel.sql.sqltypes.AutoString(length=40),
                                         nullable=False, server_default=''))
    op.add_column('complaint', _at('close_by'))
    op.add_column('complaint', _at('closed_at'))
    op.add_column('complaint', _at('next_due_by'))
    op.add_column('complaint', sa.Column('next_clock', sqlmodel.sql.sqltypes.AutoString(length=12),
                                         nullable=False, server_default=''))
    op.add_column('complaint', sa.Column('same_event_id', sa.Integer(), nullable=True))
    op.add_column('complaint', sa.Column('escalation_level', sa.Integer(), nullable=False, server_default='0'))
    op.create_index(op.f('ix_complaint_same_event_id'), 'complaint', ['same_event_id'], unique=False)
    op.create_index('ix_complaint_open_due', 'complaint', ['next_due_by', 'id'], unique=False,
                    sqlite_where=sa.text(_OPEN), postgresql_where=sa.text(_OPEN))
    op.add_column('incident_report', sa.Column('complaint_id', sa.Integer(), nullable=True))
    op.add_column('incident_report', _at('delivered_at'))
    op.create_index(op.f('ix_incident_report_complaint_id'), 'incident_report', ['complaint_id'], unique=False)
    op.create_table(
        'complaint_step',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('complaint_id', sa.Integer(), nullable=False),
        sa.Column('at', deskapp.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=False),
        sa.Column('step', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('note', sa.Text(), nullable=False, server_default=''),
        sa.Column('detail', sa.Text(), nullable=False, server_default=''),
        sa.ForeignKeyConstraint(['complaint_id'], ['complaint.id'], name=op.f('fk_complaint_step_complaint_id_complaint')),
        sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_complaint_step_staff_id_staff')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_step')),
    )
    op.create_index(op.f('ix_complaint_step_complaint_id'), 'complaint_step', ['complaint_id'], unique=False)
    for statement in APPEND_ONLY.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade() -> None:
    op.drop_index(op.f('ix_complaint_step_complaint_id'), table_name='complaint_step')
    op.drop_table('complaint_step')  # its triggers go with it
    op.drop_index(op.f('ix_incident_report_complaint_id'), table_name='incident_report')
    with op.batch_alter_table('incident_report', schema=None) as batch_op:
        batch_op.drop_column('delivered_at')
        batch_op.drop_column('complaint_id')
    op.drop_index('ix_complaint_open_due', table_name='complaint')
    op.drop_index(op.f('ix_complaint_same_event_id'), table_name='complaint')
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        for name in ('escalation_level', 'same_event_id', 'next_clock', 'next_due_by', 'closed_at', 'close_by',
                     'signed_for_by', 'version'):
            batch_op.drop_column(name)
