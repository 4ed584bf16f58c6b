"""The daily digest past the cap: the campaign's setting, and the digest that carries each gathered letter

Revision ID: 0013_digest
Revises: 0014_letter_links
Create Date: 2026-12-01 14:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_digest'
down_revision = '0014_letter_links'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digest', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('digest_at', sa.String(length=5), nullable=True))
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digest_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_message_digest_id'), ['digest_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_outbox_message_digest_id_outbox_message'), 'outbox_message', ['digest_id'], ['id'],
            ondelete='SET NULL'
        )


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outbox_message_digest_id_outbox_message'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outbox_message_digest_id'))
        batch_op.drop_column('digest_id')
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_column('digest_at')
        batch_op.drop_column('digest')
