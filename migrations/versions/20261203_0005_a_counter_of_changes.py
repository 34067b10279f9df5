"""a counter of the writes that change answers

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 08:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    changes = op.create_table(
        'changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_changes')),
    )
    op.bulk_insert(changes, [{'id': 1, 'count': 0}])


def downgrade() -> None:
    op.drop_table('changes')
