"""events: index the discussion topic (the topic page's event card looks it up)

Revision ID: 8f3d1c0b7a21
Revises: 5e1c2a7b9d40
Create Date: 2026-11-21 22:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '8f3d1c0b7a21'
down_revision = '5e1c2a7b9d40'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(op.f('ix_events_event_topic_id'), 'events_event', ['topic_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_events_event_topic_id'), table_name='events_event')
