"""The daily digest past the cap: the campaign's setting, and the digest that carries each gathered letter

Revision ID: 0016_digest
Revises: 0015d_agenda_alerts
Create Date: 2026-12-01 14:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_digest'
down_revision = '0015d_agenda_alerts'
branch_labels = None
depends_on = None


def upgrade():
    # Columns added in place: no copy of the tables is needed.
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digest', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('digest_at', sa.String(length=5), nullable=True))
    op.add_column('outbox_message', sa.Column('digest_id', sa.Integer(), nullable=True))
    op.create_index('ix_outbox_message_digest_id', 'outbox_message', ['digest_id'], unique=False)


def downgrade():
    op.drop_index('ix_outbox_message_digest_id', table_name='outbox_message')
    op.execute('ALTER TABLE outbox_message DROP COLUMN digest_id')  # in place, also on SQLite (3.35 and later)
    op.execute('ALTER TABLE campaign DROP COLUMN digest_at')
    op.execute('ALTER TABLE campaign DROP COLUMN digest')
