"""people, their roles on graphs (members), personal tokens, and who wrote a revision

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-10 09:00:00
"""

import contextlib
from collections.abc import Iterator, Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, foreign key name, ON DELETE) of the columns that name a person.
PERSON_COLUMNS = (
    ('tokens', 'fk_tokens_person_id_people', 'CASCADE'),
    ('revisions', 'fk_revisions_person_id_people', 'SET NULL'),
)


@contextlib.contextmanager
def _revision_authors_kept() -> Iterator[None]:
    """SQLite changes a table by copying it and dropping the old one; dropping `tokens` deletes its
    rows first, which (foreign keys on) empties every revisions.token_id. Keep who wrote what, and
    put it back once the table is whole again."""
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        yield
        return
    authors = bind.execute(sa.text('SELECT id, token_id FROM revisions WHERE token_id IS NOT NULL')).all()
    yield
    if authors:
        bind.execute(
            sa.text('UPDATE revisions SET token_id = :token WHERE id = :id'),
            [{'id': id_, 'token': token} for id_, token in authors],
        )


def upgrade() -> None:
    op.create_table(
        'people',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('subject', sa.String(length=255), nullable=True),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('name', sa.Text(), nullable=False),
        sa.Column('admin', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_people')),
        sa.UniqueConstraint('email', name=op.f('uq_people_email')),
        sa.UniqueConstraint('subject', name=op.f('uq_people_subject')),
    )
    op.create_table(
        'members',
        sa.Column('graph_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(['graph_id'], ['graphs.id'], name=op.f('fk_members_graph_id_graphs'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_members_person_id_people'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('graph_id', 'person_id', name=op.f('pk_members')),
    )
    op.create_index(op.f('ix_members_person_id'), 'members', ['person_id'], unique=False)
    with _revision_authors_kept():
        for table, name, on_delete in PERSON_COLUMNS:
            with op.batch_alter_table(table, schema=None) as batch_op:
                batch_op.add_column(sa.Column('person_id', sa.Integer(), nullable=True))
                batch_op.create_foreign_key(op.f(name), 'people', ['person_id'], ['id'], ondelete=on_delete)


def downgrade() -> None:
    with _revision_authors_kept():
        for table, name, _ in reversed(PERSON_COLUMNS):
            with op.batch_alter_table(table, schema=None) as batch_op:
                batch_op.drop_constraint(op.f(name), type_='foreignkey')
                batch_op.drop_column('person_id')
    op.drop_index(op.f('ix_members_person_id'), table_name='members')
    op.drop_table('members')
    op.drop_table('people')
