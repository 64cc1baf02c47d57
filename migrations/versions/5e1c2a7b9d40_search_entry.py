"""search entry: the PostgreSQL search backend's table

Revision ID: 5e1c2a7b9d40
Revises: 482d45d3f89b
Create Date: 2026-11-21 20:50:00

The table is created on every database so the schema stays one history; only the
PostgreSQL backend fills it (tsvector and text[] there, plain text and JSON on SQLite).
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '5e1c2a7b9d40'
down_revision = '482d45d3f89b'
branch_labels = None
depends_on = None


def upgrade():
    strings = postgresql.ARRAY(sa.Text()).with_variant(sa.JSON(), 'sqlite')
    op.create_table(
        'search_entry',
        sa.Column('key', sa.String(length=100), nullable=False),
        sa.Column('type', sa.String(length=32), nullable=False),
        sa.Column('doc_id', sa.String(length=64), nullable=False),
        sa.Column('title', sa.Text(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('url', sa.Text(), nullable=False),
        sa.Column('acl', strings, nullable=False),
        sa.Column('author', sa.String(length=64), nullable=False),
        sa.Column('category', sa.String(length=100), nullable=False),
        sa.Column('tags', strings, nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('lang', sa.String(length=16), nullable=False),
        sa.Column('config', sa.String(length=32), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('tsv', postgresql.TSVECTOR().with_variant(sa.Text(), 'sqlite'), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_search_entry')),
    )
    op.create_index('ix_search_entry_tsv', 'search_entry', ['tsv'], unique=False,
                    postgresql_using='gin')
    op.create_index('ix_search_entry_acl', 'search_entry', ['acl'], unique=False,
                    postgresql_using='gin')
    op.create_index('ix_search_entry_created_at', 'search_entry', ['created_at'], unique=False)


def downgrade():
    op.drop_index('ix_search_entry_created_at', table_name='search_entry')
    op.drop_index('ix_search_entry_acl', table_name='search_entry')
    op.drop_index('ix_search_entry_tsv', table_name='search_entry')
    op.drop_table('search_entry')
