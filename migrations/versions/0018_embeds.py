"""Embeds on partners' websites: the origins that may frame a campaign's card

Revision ID: 0018_embeds
Revises: 0017_agenda_documents
Create Date: 2026-12-01 15:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_embeds'
down_revision = '0017_agenda_documents'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('embed_origins', sa.Text(), nullable=True))


def downgrade():
    op.execute('ALTER TABLE campaign DROP COLUMN embed_origins')  # in place, also on SQLite (3.35 and later)
