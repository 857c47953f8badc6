"""reputation reads: gig skills and token metadata

Revision ID: 0004
Revises: 0001
Create Date: 2026-12-01 09:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

#: The empty tag, which names no skill (as `skills.skill_rows` leaves it out).
NO_SKILL = "0x" + "00" * 32


def upgrade() -> None:
    op.create_table(
        "gig_skills",
        sa.Column("skill", sa.String(length=66), nullable=False),
        sa.Column("gig_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("created_block", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("skill", "gig_id"),
    )
    with op.batch_alter_table("gig_skills", schema=None) as batch_op:
        batch_op.create_index("ix_gig_skills_created_block", ["created_block"], unique=False)
    op.create_table(
        "tokens",
        sa.Column("address", sa.String(length=42), nullable=False),
        sa.Column("decimals", sa.Integer(), nullable=True),
        sa.Column("symbol", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("address"),
    )
    # Gigs indexed before this revision: their skills from the gigs table's JSON.
    gigs = sa.table("gigs", sa.column("gig_id"), sa.column("skills", sa.JSON), sa.column("created_block"))
    connection = op.get_bind()
    rows = [
        {"skill": skill, "gig_id": gig.gig_id, "created_block": gig.created_block}
        for gig in connection.execute(sa.select(gigs))
        for skill in dict.fromkeys(gig.skills)
        if skill != NO_SKILL
    ]
    if rows:
        op.bulk_insert(sa.table("gig_skills", sa.column("skill"), sa.column("gig_id"), sa.column("created_block")), rows)


def downgrade() -> None:
    op.drop_table("tokens")
    with op.batch_alter_table("gig_skills", schema=None) as batch_op:
        batch_op.drop_index("ix_gig_skills_created_block")
    op.drop_table("gig_skills")
