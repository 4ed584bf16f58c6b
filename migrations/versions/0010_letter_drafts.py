"""Letter drafts: a supporter's words kept while they change recipients or language (sources are on submission.ref)

Revision ID: 0010_letter_drafts
Revises: 0009_organisation
Create Date: 2026-12-01 11:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_letter_drafts'
down_revision = '0009_organisation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('letter_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('email', sa.Text(), nullable=False),
    sa.Column('place', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_letter_draft_campaign_id_campaign'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letter_draft')),
    sa.UniqueConstraint('key', name=op.f('uq_letter_draft_key'))
    )
    with op.batch_alter_table('letter_draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_letter_draft_updated_at'), ['updated_at'], unique=False)


def downgrade():
    with op.batch_alter_table('letter_draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_letter_draft_updated_at'))

    op.drop_table('letter_draft')
