"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-26 23:29:34.933984
"""

from alembic import op
import sqlalchemy as sa
import gigledger_node.index.db


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('attestations',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('block_number', sa.BigInteger(), nullable=False),
    sa.Column('timestamp', sa.BigInteger(), nullable=False),
    sa.Column('transaction_hash', sa.String(length=66), nullable=False),
    sa.Column('escrow', sa.String(length=42), nullable=False),
    sa.Column('gig_id', sa.BigInteger(), nullable=False),
    sa.Column('attester', sa.String(length=42), nullable=False),
    sa.Column('subject', sa.String(length=42), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('skill', sa.String(length=66), nullable=False),
    sa.Column('evidence_hash', sa.String(length=66), nullable=False),
    sa.Column('revoked_block', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('escrow', 'gig_id', 'attester', name='uq_attestations_gig_attester')
    )
    with op.batch_alter_table('attestations', schema=None) as batch_op:
        batch_op.create_index('ix_attestations_revoked_block', ['revoked_block'], unique=False)
        batch_op.create_index('ix_attestations_subject', ['subject', 'block_number'], unique=False)

    op.create_table('blocks',
    sa.Column('number', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('hash', sa.String(length=66), nullable=False),
    sa.Column('timestamp', sa.BigInteger(), nullable=False),
    sa.Column('event_count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('number')
    )
    with op.batch_alter_table('blocks', schema=None) as batch_op:
        batch_op.create_index('ix_blocks_hash', ['hash'], unique=False)

    op.create_table('events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('block_number', sa.BigInteger(), nullable=False),
    sa.Column('block_hash', sa.String(length=66), nullable=False),
    sa.Column('transaction_hash', sa.String(length=66), nullable=False),
    sa.Column('transaction_index', sa.Integer(), nullable=False),
    sa.Column('log_index', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=42), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('gig_id', sa.BigInteger(), nullable=True),
    sa.Column('topics', sa.LargeBinary(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('transaction_hash', 'log_index', name='uq_events_transaction_log')
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index('ix_events_block', ['block_number'], unique=False)
        batch_op.create_index('ix_events_gig', ['gig_id'], unique=False)

    op.create_table('gigs',
    sa.Column('gig_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('client', sa.String(length=42), nullable=False),
    sa.Column('freelancer', sa.String(length=42), nullable=False),
    sa.Column('arbiter', sa.String(length=42), nullable=False),
    sa.Column('token', sa.String(length=42), nullable=False),
    sa.Column('amount', gigledger_node.index.db.Uint256(length=78), nullable=False),
    sa.Column('paid', gigledger_node.index.db.Uint256(length=78), nullable=False),
    sa.Column('milestones', sa.JSON(), nullable=False),
    sa.Column('released', sa.Integer(), nullable=False),
    sa.Column('deadline', sa.BigInteger(), nullable=False),
    sa.Column('review_period', sa.BigInteger(), nullable=False),
    sa.Column('fee_bps', sa.Integer(), nullable=False),
    sa.Column('terms_hash', sa.String(length=66), nullable=False),
    sa.Column('skills', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('delivered_at', sa.BigInteger(), nullable=False),
    sa.Column('disputed_at', sa.BigInteger(), nullable=False),
    sa.Column('deliverable_hash', sa.String(length=66), nullable=True),
    sa.Column('on_time', sa.Boolean(), nullable=True),
    sa.Column('created_block', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('updated_block', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('gig_id')
    )
    with op.batch_alter_table('gigs', schema=None) as batch_op:
        batch_op.create_index('ix_gigs_client', ['client', 'gig_id'], unique=False)
        batch_op.create_index('ix_gigs_created_at', ['created_at'], unique=False)
        batch_op.create_index('ix_gigs_freelancer', ['freelancer', 'gig_id'], unique=False)
        batch_op.create_index('ix_gigs_state', ['state', 'gig_id'], unique=False)
        batch_op.create_index('ix_gigs_token', ['token', 'gig_id'], unique=False)

    op.create_table('holdings',
    sa.Column('token', sa.String(length=42), nullable=False),
    sa.Column('amount', gigledger_node.index.db.Uint256(length=78), nullable=False),
    sa.PrimaryKeyConstraint('token')
    )
    op.create_table('indexer_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chain_id', sa.BigInteger(), nullable=False),
    sa.Column('escrow', sa.String(length=42), nullable=False),
    sa.Column('registry', sa.String(length=42), nullable=False),
    sa.Column('start_block', sa.BigInteger(), nullable=False),
    sa.Column('checkpoint_number', sa.BigInteger(), nullable=True),
    sa.Column('checkpoint_hash', sa.String(length=66), nullable=True),
    sa.Column('chain_head', sa.BigInteger(), nullable=True),
    sa.Column('event_count', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('monthly_completions',
    sa.Column('account', sa.String(length=42), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('completed', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('account', 'month')
    )
    op.create_table('payments',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('block_number', sa.BigInteger(), nullable=False),
    sa.Column('timestamp', sa.BigInteger(), nullable=False),
    sa.Column('transaction_hash', sa.String(length=66), nullable=False),
    sa.Column('log_index', sa.Integer(), nullable=False),
    sa.Column('account', sa.String(length=42), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('direction', sa.String(length=8), nullable=False),
    sa.Column('gig_id', sa.BigInteger(), nullable=True),
    sa.Column('token', sa.String(length=42), nullable=False),
    sa.Column('amount', gigledger_node.index.db.Uint256(length=78), nullable=False),
    sa.Column('fee', gigledger_node.index.db.Uint256(length=78), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index('ix_payments_account', ['account', 'block_number', 'log_index'], unique=False)
        batch_op.create_index('ix_payments_block', ['block_number'], unique=False)

    op.create_table('reputation',
    sa.Column('account', sa.String(length=42), nullable=False),
    sa.Column('completed', sa.Integer(), nullable=False),
    sa.Column('on_time', sa.Integer(), nullable=False),
    sa.Column('missed_deadlines', sa.Integer(), nullable=False),
    sa.Column('disputes_opened', sa.Integer(), nullable=False),
    sa.Column('disputes_won', sa.Integer(), nullable=False),
    sa.Column('disputes_lost', sa.Integer(), nullable=False),
    sa.Column('attestations', sa.Integer(), nullable=False),
    sa.Column('score_sum', sa.Integer(), nullable=False),
    sa.Column('gigs_as_client', sa.Integer(), nullable=False),
    sa.Column('gigs_as_freelancer', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('account')
    )
    op.create_table('skill_reputation',
    sa.Column('account', sa.String(length=42), nullable=False),
    sa.Column('skill', sa.String(length=66), nullable=False),
    sa.Column('completed', sa.Integer(), nullable=False),
    sa.Column('attestations', sa.Integer(), nullable=False),
    sa.Column('score_sum', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('account', 'skill')
    )
    op.create_table('volumes',
    sa.Column('account', sa.String(length=42), nullable=False),
    sa.Column('token', sa.String(length=42), nullable=False),
    sa.Column('earned', gigledger_node.index.db.Uint256(length=78), nullable=False),
    sa.Column('paid', gigledger_node.index.db.Uint256(length=78), nullable=False),
    sa.PrimaryKeyConstraint('account', 'token')
    )


def downgrade() -> None:
    op.drop_table('volumes')
    op.drop_table('skill_reputation')
    op.drop_table('reputation')
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index('ix_payments_block')
        batch_op.drop_index('ix_payments_account')

    op.drop_table('payments')
    op.drop_table('monthly_completions')
    op.drop_table('indexer_state')
    op.drop_table('holdings')
    with op.batch_alter_table('gigs', schema=None) as batch_op:
        batch_op.drop_index('ix_gigs_token')
        batch_op.drop_index('ix_gigs_state')
        batch_op.drop_index('ix_gigs_freelancer')
        batch_op.drop_index('ix_gigs_created_at')
        batch_op.drop_index('ix_gigs_client')

    op.drop_table('gigs')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_gig')
        batch_op.drop_index('ix_events_block')

    op.drop_table('events')
    with op.batch_alter_table('blocks', schema=None) as batch_op:
        batch_op.drop_index('ix_blocks_hash')

    op.drop_table('blocks')
    with op.batch_alter_table('attestations', schema=None) as batch_op:
        batch_op.drop_index('ix_attestations_subject')
        batch_op.drop_index('ix_attestations_revoked_block')

    op.drop_table('attestations')
