"""call corrections, the awaiting-calls index

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

A logged call is corrected by appending a correction (call_correction), never
by overwriting it; the table refuses UPDATE and DELETE like audit_event.

The 待办 view lists awaiting calls by deadline: a partial index holds just
those rows (a handful among a million calls), ordered as the view reads them.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

import deskapp.storage.types

revision: str = '0003'
down_revision: Union[str, None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# One entry per dialect, as for the audit log in 0002.
APPEND_ONLY = {
    'sqlite': [
        """CREATE TRIGGER call_correction_no_update BEFORE UPDATE ON call_correction BEGIN
               SELECT RAISE(ABORT, 'call_correction is append-only');
           END""",
        """CREATE TRIGGER call_correction_no_delete BEFORE DELETE ON call_correction BEGIN
               SELECT RAISE(ABORT, 'call_correction is append-only');
           END""",
    ],
    # desk_append_only() is 0002's.
    'postgresql': [
        """CREATE TRIGGER call_correction_no_update BEFORE UPDATE ON call_correction
               FOR EACH ROW EXECUTE FUNCTION desk_append_only()""",
        """CREATE TRIGGER call_correction_no_delete BEFORE DELETE ON call_correction
               FOR EACH ROW EXECUTE FUNCTION desk_append_only()""",
        """CREATE TRIGGER call_correction_no_truncate BEFORE TRUNCATE ON call_correction
               FOR EACH STATEMENT EXECUTE FUNCTION desk_append_only()""",
    ],
}


def upgrade() -> None:
    op.create_table(
        'call_correction',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('call_id', sa.Integer(), nullable=False),
        sa.Column('at', deskapp.storage.types.UTCDateTime(), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=False),
        sa.Column('field', sa.String(length=20), nullable=False, server_default=''),
        sa.Column('corrected', sa.Text(), nullable=False, server_default=''),
        sa.Column('note', sa.Text(), nullable=False, server_default=''),
        sa.ForeignKeyConstraint(['call_id'], ['call.id'], name=op.f('fk_call_correction_call_id_call')),
        sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_call_correction_staff_id_staff')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_call_correction')),
    )
    op.create_index(op.f('ix_call_correction_call_id'), 'call_correction', ['call_id'], unique=False)
    op.create_index('ix_call_awaiting_due', 'call', ['due_by', 'id'], unique=False,
                    sqlite_where=sa.text("status IN ('awaiting_slip', 'awaiting_complaint')"),
                    postgresql_where=sa.text("status IN ('awaiting_slip', 'awaiting_complaint')"))
    for statement in APPEND_ONLY.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade() -> None:
    op.drop_index('ix_call_awaiting_due', table_name='call')
    op.drop_index(op.f('ix_call_correction_call_id'), table_name='call_correction')
    op.drop_table('call_correction')  # its triggers go with it
