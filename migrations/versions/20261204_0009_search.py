"""search: every current bet and assumption in the words a search finds it by, indexed by the database

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Title and statement weigh most, then the description, then owner, team and tags. The same
# words in both databases: 'simple' neither stems nor drops stop words, as FTS5's unicode61 does not.
POSTGRES = [
    """ALTER TABLE search_entries ADD COLUMN document tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', title), 'A')
        || setweight(to_tsvector('simple', description), 'B')
        || setweight(to_tsvector('simple', people || ' ' || tags), 'C')
    ) STORED""",
    "CREATE INDEX ix_search_entries_document ON search_entries USING gin (document)",
]
# An external-content FTS5 table: the words live once, in search_entries, whose rowid is its key;
# the triggers keep the index in step with every insert and delete (a graph's deletion included,
# which reaches search_entries through its foreign key's cascade).
SQLITE = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        title, description, people, tags,
        content='search_entries', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
    )""",
    """CREATE TRIGGER search_entries_added AFTER INSERT ON search_entries BEGIN
        INSERT INTO search_fts (rowid, title, description, people, tags)
        VALUES (new.id, new.title, new.description, new.people, new.tags);
    END""",
    """CREATE TRIGGER search_entries_removed AFTER DELETE ON search_entries BEGIN
        INSERT INTO search_fts (search_fts, rowid, title, description, people, tags)
        VALUES ('delete', old.id, old.title, old.description, old.people, old.tags);
    END""",
    """CREATE TRIGGER search_entries_changed AFTER UPDATE ON search_entries BEGIN
        INSERT INTO search_fts (search_fts, rowid, title, description, people, tags)
        VALUES ('delete', old.id, old.title, old.description, old.people, old.tags);
        INSERT INTO search_fts (rowid, title, description, people, tags)
        VALUES (new.id, new.title, new.description, new.people, new.tags);
    END""",
]
TAGS = {
    'sqlite': "(SELECT coalesce(group_concat(value, ' '), '') FROM json_each(b.tags))",
    'postgresql': "(SELECT coalesce(string_agg(value, ' '), '') FROM json_array_elements_text(b.tags))",
}


def upgrade() -> None:
    op.create_table(
        'search_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('graph_id', sa.Integer(), nullable=False),
        sa.Column('section', sa.String(length=16), nullable=False),
        sa.Column('item_id', sa.String(length=63), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=True),
        sa.Column('title', sa.Text(), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('people', sa.Text(), nullable=False),
        sa.Column('tags', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ['graph_id'], ['graphs.id'], name=op.f('fk_search_entries_graph_id_graphs'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_search_entries')),
        sa.UniqueConstraint('graph_id', 'section', 'item_id', name='uq_search_entries_item'),
    )
    dialect = op.get_bind().dialect.name
    for statement in POSTGRES if dialect == 'postgresql' else SQLITE:
        op.execute(statement)
    # Every graph's current items, as save_graph would have written them (after the index, so
    # that SQLite's triggers index them).
    op.execute(
        "INSERT INTO search_entries (graph_id, section, item_id, kind, title, description, people, tags)"
        " SELECT b.graph_id, 'bet', b.bet_id, b.kind, b.title, coalesce(b.description, ''),"
        " trim(coalesce(b.owner, '') || ' ' || coalesce(b.team, '')), "
        + TAGS[dialect]
        + " FROM bet_versions b WHERE b.valid_to IS NULL"
    )
    op.execute(
        "INSERT INTO search_entries (graph_id, section, item_id, kind, title, description, people, tags)"
        " SELECT a.graph_id, 'assumption', a.assumption_id, NULL, a.statement, '', '', ''"
        " FROM assumption_versions a WHERE a.valid_to IS NULL"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for trigger in ('search_entries_added', 'search_entries_removed', 'search_entries_changed'):
            op.execute(f'DROP TRIGGER {trigger}')
        op.execute('DROP TABLE search_fts')
    op.drop_table('search_entries')  # PostgreSQL's column and index go with it
