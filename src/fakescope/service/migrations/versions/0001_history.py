"""The first release's history table (one row per scanned item, the report as JSON).

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scans",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("filename", sa.String(512), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, index=True),
        sa.Column("modality", sa.String(32)),
        sa.Column("score", sa.Float),
        sa.Column("verdict", sa.String(64), nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("report_json", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("scans")
