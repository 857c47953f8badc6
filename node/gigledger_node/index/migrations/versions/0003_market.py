"""talent market: profiles, account links, offers

Revision ID: 0003
Revises: 0001
Create Date: 2026-12-01 09:10:00
"""

import sqlalchemy as sa
from alembic import op

import gigledger_node.index.db

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "profiles",
        sa.Column("account", sa.String(length=42), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=66), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=True),
        sa.Column("headline", sa.String(length=200), nullable=True),
        sa.Column("valid", sa.Boolean(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("transaction_hash", sa.String(length=66), nullable=False),
        sa.Column("timestamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("account"),
    )
    op.create_index("ix_profiles_block", "profiles", ["block_number"])
    op.create_table(
        "account_links",
        sa.Column("first", sa.String(length=42), nullable=False),
        sa.Column("second", sa.String(length=42), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("transaction_hash", sa.String(length=66), nullable=False),
        sa.Column("timestamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("first", "second"),
    )
    op.create_index("ix_account_links_second", "account_links", ["second"])
    op.create_index("ix_account_links_block", "account_links", ["block_number"])
    op.create_table(
        "offers",
        sa.Column("offer_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("freelancer", sa.String(length=42), nullable=False),
        sa.Column("token", sa.String(length=42), nullable=False),
        sa.Column("price", gigledger_node.index.db.Uint256(length=78), nullable=False),
        sa.Column("delivery_time", sa.BigInteger(), nullable=False),
        sa.Column("review_period", sa.BigInteger(), nullable=False),
        sa.Column("arbiter", sa.String(length=42), nullable=False),
        sa.Column("terms_hash", sa.String(length=66), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("gig_id", sa.BigInteger(), nullable=True),
        sa.Column("client", sa.String(length=42), nullable=True),
        sa.Column("posted_block", sa.BigInteger(), nullable=False),
        sa.Column("posted_at", sa.BigInteger(), nullable=False),
        sa.Column("transaction_hash", sa.String(length=66), nullable=False),
        sa.Column("closed_block", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("offer_id"),
    )
    op.create_index("ix_offers_state", "offers", ["state", "offer_id"])
    op.create_index("ix_offers_freelancer", "offers", ["freelancer", "offer_id"])
    op.create_index("ix_offers_posted_block", "offers", ["posted_block"])
    op.create_index("ix_offers_closed_block", "offers", ["closed_block"])
    op.create_table(
        "offer_skills",
        sa.Column("skill", sa.String(length=66), nullable=False),
        sa.Column("offer_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("skill", "offer_id"),
    )


def downgrade() -> None:
    op.drop_table("offer_skills")
    op.drop_table("offers")
    op.drop_table("account_links")
    op.drop_table("profiles")
