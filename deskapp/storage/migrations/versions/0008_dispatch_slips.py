"""dispatch slips: steps, the running clock, the board's index, a signed slip frozen

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25

- slip_step: every step of a slip (issued, notified, accepted ... returned,
  refused, notes, prints) with its time, who recorded it at the desk and the
  person who did it (technician, department supervisor); append-only.
- dispatch_slip gains the times the table lacked (assessed, refused, copies
  returned), the supervisor who confirmed a refusal, the amount collected, and
  the clock that runs now (due_by, due_kind), stored so the board sorts by it.
- Two partial indexes hold only the open slips (a few hundred among 200,000):
  the board's order (department, technician, id) and the deadline order.
- A signed slip is frozen by the database: an UPDATE that changes anything
  but the steps after signing (fee collected, copies returned, print count)
  is refused, and no slip is ever deleted (docs/rules.md §2.3). A later
  migration that rebuilds dispatch_slip must drop and recreate these.
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

import deskapp.storage.types

revision: str = '0008'
down_revision: Union[str, None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

OPEN = "status NOT IN ('closed', 'refused')"

# Everything a customer's signature vouches for: unchanged once signed_at is set.
FROZEN = ('number', 'created_at', 'call_id', 'complaint_id', 'customer_name', 'unit_code', 'phone', 'item',
          'appointment_at', 'photos', 'chargeable', 'fee_item', 'fee_yuan', 'in_fee_schedule', 'under_warranty',
          'department_id', 'technician', 'work_done', 'work_fee_yuan', 'materials', 'materials_check', 'remarks',
          'customer_signed', 'signed_at', 'owner_id', 'notify_by', 'notified_at', 'accepted_at', 'assess_by',
          'assessed_at', 'fee_agreed_at', 'on_site_by', 'arrived_at', 'completed_at', 'refused_reason',
          'refused_at', 'refused_by')
AFTER_SIGNING = "('signed', 'collected', 'closed')"

_SQLITE_CHANGED = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in FROZEN)
_PG_CHANGED = (f"ROW({', '.join('NEW.' + c for c in FROZEN)}) IS DISTINCT FROM "
               f"ROW({', '.join('OLD.' + c for c in FROZEN)})")

GUARDS = {
    'sqlite': [
        f"""CREATE TRIGGER dispatch_slip_signed_frozen BEFORE UPDATE ON dispatch_slip
            WHEN OLD.signed_at IS NOT NULL AND ({_SQLITE_CHANGED}
                 OR NEW.status NOT IN {AFTER_SIGNING} OR (OLD.fee_collected AND NOT NEW.fee_collected)) BEGIN
                SELECT RAISE(ABORT, 'dispatch_slip is signed: append a note instead');
            END""",
        """CREATE TRIGGER dispatch_slip_no_delete BEFORE DELETE ON dispatch_slip BEGIN
               SELECT RAISE(ABORT, 'dispatch_slip rows are never deleted');
           END""",
        """CREATE TRIGGER slip_step_no_update BEFORE UPDATE ON slip_step BEGIN
               SELECT RAISE(ABORT, 'slip_step is append-only');
           END""",
        """CREATE TRIGGER slip_step_no_delete BEFORE DELETE ON slip_step BEGIN
               SELECT RAISE(ABORT, 'slip_step is append-only');
           END""",
    ],
    'postgresql': [
        f"""CREATE FUNCTION dispatch_slip_guard() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'DELETE' THEN
                    RAISE EXCEPTION 'dispatch_slip rows are never deleted';
                END IF;
                IF OLD.signed_at IS NOT NULL AND ({_PG_CHANGED}
                   OR NEW.status NOT IN {AFTER_SIGNING} OR (OLD.fee_collected AND NOT NEW.fee_collected)) THEN
                    RAISE EXCEPTION 'dispatch_slip is signed: append a note instead';
                END IF;
                RETURN NEW;
            END $$""",
        """CREATE TRIGGER dispatch_slip_guard BEFORE UPDATE OR DELETE ON dispatch_slip
           FOR EACH ROW EXECUTE FUNCTION dispatch_slip_guard()""",
        """CREATE FUNCTION slip_step_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'slip_step is append-only';
            END $$""",
        """CREATE TRIGGER slip_step_append_only BEFORE UPDATE OR DELETE ON slip_step
           FOR EACH ROW EXECUTE FUNCTION slip_step_append_only()""",
    ],
}
GUARDS_DROP = {
    'sqlite': ["DROP TRIGGER IF EXISTS dispatch_slip_signed_frozen", "DROP TRIGGER IF EXISTS dispatch_slip_no_delete"],
    'postgresql': ["DROP TRIGGER IF EXISTS dispatch_slip_guard ON dispatch_slip",
                   "DROP FUNCTION IF EXISTS dispatch_slip_guard()",
                   "DROP FUNCTION IF EXISTS slip_step_append_only() CASCADE"],
}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    when = deskapp.storage.types.UTCDateTime(timezone=True)
    op.add_column('dispatch_slip', sa.Column('assessed_at', when, nullable=True))
    op.add_column('dispatch_slip', sa.Column('refused_at', when, nullable=True))
    op.add_column('dispatch_slip', sa.Column('refused_by', sqlmodel.sql.sqltypes.AutoString(length=40),
                                             nullable=False, server_default=''))
    op.add_column('dispatch_slip', sa.Column('fee_collected_yuan', sa.Numeric(precision=10, scale=2), nullable=True))
    op.add_column('dispatch_slip', sa.Column('copies_returned_at', when, nullable=True))
    op.add_column('dispatch_slip', sa.Column('due_by', when, nullable=True))
    op.add_column('dispatch_slip', sa.Column('due_kind', sqlmodel.sql.sqltypes.AutoString(length=10),
                                             nullable=False, server_default=''))
    op.create_index('ix_dispatch_slip_board', 'dispatch_slip', ['department_id', 'technician', 'id'], unique=False,
                    sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))
    op.create_index('ix_dispatch_slip_open_due', 'dispatch_slip', ['due_by', 'id'], unique=False,
                    sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))
    op.create_table(
        'slip_step',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('slip_id', sa.Integer(), nullable=False),
        sa.Column('step', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column('at', when, nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=False),
        sa.Column('person', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False, server_default=''),
        sa.Column('note', sa.Text(), nullable=False, server_default=''),
        sa.Column('amount_yuan', sa.Numeric(precision=10, scale=2), nullable=True),
        sa.ForeignKeyConstraint(['slip_id'], ['dispatch_slip.id'], name=op.f('fk_slip_step_slip_id_dispatch_slip')),
        sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_slip_step_staff_id_staff')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_slip_step')),
    )
    op.create_index(op.f('ix_slip_step_slip_id'), 'slip_step', ['slip_id'], unique=False)
    for statement in GUARDS.get(dialect, []):
        op.execute(statement)


def downgrade() -> None:
    for statement in GUARDS_DROP.get(op.get_bind().dialect.name, []):
        op.execute(statement)
    op.drop_index(op.f('ix_slip_step_slip_id'), table_name='slip_step')
    op.drop_table('slip_step')
    op.drop_index('ix_dispatch_slip_open_due', table_name='dispatch_slip')
    op.drop_index('ix_dispatch_slip_board', table_name='dispatch_slip')
    for column in ('due_kind', 'due_by', 'copies_returned_at', 'fee_collected_yuan', 'refused_by', 'refused_at',
                   'assessed_at'):
        op.drop_column('dispatch_slip', column)
