"""restore epoch: a row `db restore` renews, so that every worker drops an index of the database it replaced

Revision ID: 0005
Revises: 0004
"""
import uuid
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    # A PostgreSQL dump of an earlier release restored over a database of this one comes back without
    # being told about this table (pg_restore --clean drops only what the dump holds): it is kept.
    if not sa.inspect(op.get_bind()).has_table('restoreepoch'):
        op.create_table(
            'restoreepoch',
            sa.Column('id', sa.Integer(), nullable=False),
            sa.Column('epoch', sa.String(length=32), nullable=False),
            sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
            sa.PrimaryKeyConstraint('id'),
        )
    table = sa.table('restoreepoch', sa.column('id', sa.Integer()), sa.column('epoch', sa.String()),
                     sa.column('at', sqlmodel.sql.sqltypes.UTCDateTime()))
    op.execute(table.delete())
    op.bulk_insert(table, [{'id': 1, 'epoch': uuid.uuid4().hex, 'at': datetime.now(timezone.utc)}])


def downgrade():
    op.drop_table('restoreepoch')
