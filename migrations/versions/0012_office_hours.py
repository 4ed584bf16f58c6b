"""Office hours per campaign for its letters to members

Revision ID: 0012_office_hours
Revises: 0011_committee_recipients
Create Date: 2026-12-01 12:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_office_hours'
down_revision = '0011_committee_recipients'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sending_hours', sa.String(length=60), nullable=True))


def downgrade():
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_column('sending_hours')
