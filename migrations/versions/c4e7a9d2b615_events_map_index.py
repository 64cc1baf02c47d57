"""events: an index holding what the map's count reads (upcoming, mode, place, visibility)

Revision ID: c4e7a9d2b615
Revises: 8f3d1c0b7a21
Create Date: 2026-11-22 04:30:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "c4e7a9d2b615"
down_revision = "8f3d1c0b7a21"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_events_event_map",
        "events_event",
        ["last_end_at", "mode", "lat", "lon", "hidden_at", "group_id"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_events_event_map", table_name="events_event")
