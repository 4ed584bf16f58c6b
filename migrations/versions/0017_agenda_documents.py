"""Answers to written questions and notices of a late answer (the Kamer's Document), for the outcome ledger

Revision ID: 0017_agenda_documents
Revises: 0016_digest
Create Date: 2026-12-01 15:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_agenda_documents'
down_revision = '0016_digest'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('agenda_document',
    sa.Column('kind', sa.String(length=80), nullable=True),
    sa.Column('number', sa.String(length=40), nullable=True),
    sa.Column('subject', sa.Text(), nullable=True),
    sa.Column('day', sa.Date(), nullable=True),
    sa.Column('tk_id', sa.String(length=36), nullable=False),
    sa.Column('updated', sa.DateTime(), nullable=True),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('tk_id', name=op.f('pk_agenda_document'))
    )


def downgrade():
    op.drop_table('agenda_document')
