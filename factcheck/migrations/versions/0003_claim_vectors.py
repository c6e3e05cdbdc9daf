"""claim vectors: each claim's sentence embedding, computed once

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('claimvector',
    sa.Column('claim_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('model', sa.String(length=100), nullable=False),
    sa.Column('text_hash', sa.String(length=32), nullable=False),
    sa.Column('vector', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['claim.id'], ),
    sa.PrimaryKeyConstraint('claim_id')
    )
    with op.batch_alter_table('claimvector', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claimvector_text_hash'), ['text_hash'], unique=False)


def downgrade():
    with op.batch_alter_table('claimvector', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claimvector_text_hash'))

    op.drop_table('claimvector')
