"""Reading translations of a campaign's letter, and the supporter's own language on their letters in the outbox

Revision ID: 0013_reading_translations
Revises: 0012_office_hours
Create Date: 2026-12-01 14:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_reading_translations'
down_revision = '0012_office_hours'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reading', sa.JSON(), nullable=True))
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('supporter_language', sa.String(length=5), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('supporter_language')
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_column('reading')
