"""return visits: the matters weighed, the queue index, the visit's own fields

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25

Visits are created by the rules when work is completed (docs/rules.md §2.4):
completed_matter keeps every completion the rules weighed, visited or not
sampled, for the month-end share; return_visit gains what the queues and the
visit form show (due time, who is to visit, method, score 1-5, the complaint
an unsatisfied customer raised) and a partial index of the visits still due.
Columns added to existing tables carry no foreign-key constraint: SQLite
cannot add one without rebuilding the table.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

import deskapp.storage.types

revision: str = '0005'
down_revision: Union[str, None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_VISIT_COLUMNS = (
    ('source_number', sa.String(length=40), ''),
    ('customer_name', sa.String(length=40), ''),
    ('stage', sa.String(length=4), ''),
    ('due_warning', sa.String(length=200), ''),
    ('assigned_role', sa.String(length=20), 'receptionist'),
    ('method', sa.String(length=10), ''),
)
_VISIT_NULLABLE = (
    ('completed_at', deskapp.storage.types.UTCDateTime()),
    ('due_by', deskapp.storage.types.UTCDateTime()),
    ('score', sa.Integer()),
    ('raised_complaint_id', sa.Integer()),
    ('reviewed_at', deskapp.storage.types.UTCDateTime()),
)


def upgrade() -> None:
    for name, type_, default in _VISIT_COLUMNS:
        op.add_column('return_visit', sa.Column(name, type_, nullable=False, server_default=default))
    for name, type_ in _VISIT_NULLABLE:
        op.add_column('return_visit', sa.Column(name, type_, nullable=True))
    op.create_index(op.f('ix_return_visit_raised_complaint_id'), 'return_visit', ['raised_complaint_id'],
                    unique=False)
    op.create_index('ix_return_visit_queue', 'return_visit', ['due_by', 'id'], unique=False,
                    sqlite_where=sa.text("status = 'due'"), postgresql_where=sa.text("status = 'due'"))
    op.add_column('complaint', sa.Column('from_visit_id', sa.Integer(), nullable=True))
    op.create_index(op.f('ix_complaint_from_visit_id'), 'complaint', ['from_visit_id'], unique=False)
    op.create_table(
        'completed_matter',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('source_number', sa.String(length=40), nullable=False),
        sa.Column('stage', sa.String(length=4), nullable=False, server_default=''),
        sa.Column('completed_at', deskapp.storage.types.UTCDateTime(), nullable=False),
        sa.Column('sampled', sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column('visit_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['visit_id'], ['return_visit.id'],
                                name=op.f('fk_completed_matter_visit_id_return_visit')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_completed_matter')),
    )
    op.create_index('uq_completed_matter_source', 'completed_matter',
                    ['kind', 'source_number', 'stage', 'completed_at'], unique=True)
    op.create_index('ix_completed_matter_completed_at', 'completed_matter', ['completed_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_completed_matter_completed_at', table_name='completed_matter')
    op.drop_index('uq_completed_matter_source', table_name='completed_matter')
    op.drop_table('completed_matter')
    op.drop_index(op.f('ix_complaint_from_visit_id'), table_name='complaint')
    with op.batch_alter_table('complaint') as batch:
        batch.drop_column('from_visit_id')
    op.drop_index('ix_return_visit_queue', table_name='return_visit')
    op.drop_index(op.f('ix_return_visit_raised_complaint_id'), table_name='return_visit')
    with op.batch_alter_table('return_visit') as batch:
        for name, _type in reversed(_VISIT_NULLABLE):
            batch.drop_column(name)
        for name, _type, _default in reversed(_VISIT_COLUMNS):
            batch.drop_column(name)
