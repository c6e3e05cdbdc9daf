"""prior vectors: other desks' fact-checks embedded once, for matching by meaning

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'priorvector',
        sa.Column('prior_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('model', sa.String(length=100), nullable=False),
        sa.Column('text_hash', sa.String(length=32), nullable=False),
        sa.Column('vector', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['prior_id'], ['priorfactcheck.id']),
        sa.PrimaryKeyConstraint('prior_id'),
    )
    op.create_index('ix_priorvector_text_hash', 'priorvector', ['text_hash'], unique=False)


def downgrade():
    op.drop_index('ix_priorvector_text_hash', table_name='priorvector')
    op.drop_table('priorvector')
