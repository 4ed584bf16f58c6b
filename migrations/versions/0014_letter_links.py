"""Letters, submissions, replies and surveys refer to their outbox messages by foreign key

Revision ID: 0014_letter_links
Revises: 0013_reading_translations
Create Date: 2026-12-01 14:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_letter_links'
down_revision = '0013_reading_translations'
branch_labels = None
depends_on = None

# (table, column): every reference to an outbox message. Outreach never deletes outbox messages; should one be removed
# by hand, the letter, submission, reply or survey stays and forgets it (SET NULL) rather than vanishing with it.
LINKS = (
    ('letter', 'outbox_message_id'),
    ('submission', 'confirmation_message_id'),
    ('submission', 'reminder_message_id'),
    ('reply', 'outbox_message_id'),
    ('survey', 'outbox_message_id'),
    ('survey', 'reminder_message_id'),
)


def _name(table: str, column: str) -> str:
    return f'fk_{table}_{column}_outbox_message'


def upgrade():
    # A number that points at no message (none should, but the columns never checked) would refuse the constraint:
    # it is cleared, everything else is kept as it is.
    outbox = sa.table('outbox_message', sa.column('id', sa.Integer))
    for table, column in LINKS:
        rows = sa.table(table, sa.column(column, sa.Integer))
        op.execute(
            rows.update()
            .where(rows.c[column].is_not(None), rows.c[column].not_in(sa.select(outbox.c.id)))
            .values({column: None})
        )
    for table in dict.fromkeys(table for table, _ in LINKS):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, column in LINKS:
                if name == table:
                    batch_op.create_foreign_key(
                        batch_op.f(_name(table, column)), 'outbox_message', [column], ['id'], ondelete='SET NULL'
                    )


def downgrade():
    for table in dict.fromkeys(table for table, _ in LINKS):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, column in LINKS:
                if name == table:
                    batch_op.drop_constraint(batch_op.f(_name(table, column)), type_='foreignkey')
