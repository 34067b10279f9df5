"""a bet's rank: its place in its team's stack-ranked column on the board

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE on both databases (SQLite 3.35 and later drops a column in place): a batch
# table copy would drop bet_versions, and foreign keys on, every bet's links with it.
def upgrade() -> None:
    op.add_column('bet_versions', sa.Column('rank', sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column('bet_versions', 'rank')
