"""Committee addresses as recipients of letters; names found however their letters are typed

Revision ID: 0011_committee_recipients
Revises: 0010_letter_drafts
Create Date: 2026-12-01 11:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

from outreach.directory.names import search_key


# revision identifiers, used by Alembic.
revision = '0011_committee_recipients'
down_revision = '0010_letter_drafts'
branch_labels = None
depends_on = None

member = sa.table(
    'member',
    sa.column('id', sa.Integer),
    sa.column('first_name', sa.String),
    sa.column('given_names', sa.String),
    sa.column('initials', sa.String),
    sa.column('prefix', sa.String),
    sa.column('surname', sa.String),
    sa.column('search_name', sa.String),
)


def recompute_search_names() -> None:
    # The search key now folds apostrophes and spells ə both ways: members stored before are found the same way.
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(member.c.id, member.c.first_name, member.c.given_names, member.c.initials, member.c.prefix,
                  member.c.surname)
    ).all()
    for row in rows:
        connection.execute(
            member.update().where(member.c.id == row.id).values(
                search_name=search_key(row.first_name, row.given_names, row.initials, row.prefix, row.surname)
            )
        )


def upgrade():
    with op.batch_alter_table('letter', schema=None) as batch_op:
        batch_op.add_column(sa.Column('committee_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_letter_committee_id_committee'), 'committee', ['committee_id'], ['id'], ondelete='SET NULL')
    recompute_search_names()


def downgrade():
    with op.batch_alter_table('letter', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_letter_committee_id_committee'), type_='foreignkey')
        batch_op.drop_column('committee_id')
    # The older search key is not restored: it found fewer names, never more.
