"""sign-ins through OpenID Connect (server-side sessions), pending sign-ins, and each person's last visit to a graph

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'sign_ins',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('admin_group', sa.Boolean(), nullable=False),
        sa.Column('id_token', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_sign_ins_person_id_people'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_ins')),
        sa.UniqueConstraint('digest', name=op.f('uq_sign_ins_digest')),
    )
    op.create_index(op.f('ix_sign_ins_person_id'), 'sign_ins', ['person_id'], unique=False)
    op.create_table(
        'pending_sign_ins',
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('nonce', sa.String(length=128), nullable=False),
        sa.Column('verifier', sa.String(length=128), nullable=False),
        sa.Column('next', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('digest', name=op.f('pk_pending_sign_ins')),
    )
    op.create_table(
        'visits',
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('graph_id', sa.Integer(), nullable=False),
        sa.Column('revision', sa.Integer(), nullable=False),
        sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['graph_id'], ['graphs.id'], name=op.f('fk_visits_graph_id_graphs'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_visits_person_id_people'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('person_id', 'graph_id', name=op.f('pk_visits')),
    )


def downgrade() -> None:
    op.drop_table('visits')
    op.drop_table('pending_sign_ins')
    op.drop_index(op.f('ix_sign_ins_person_id'), table_name='sign_ins')
    op.drop_table('sign_ins')
