"""market reads: profile names searchable by word; token metadata reads that failed, read again

Each profile's case-folded name and the words of it, indexed; the tokens whose
metadata read failed for the endpoint's reason are marked for another read.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 12:20:00
"""

import sqlalchemy as sa
from alembic import op

from gigledger_node.index.market import NAME_KEY_LENGTH, name_key, name_words

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retry", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("read_block", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("profiles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_key", sa.String(length=NAME_KEY_LENGTH), nullable=True))
        batch_op.create_index("ix_profiles_name_key", ["name_key"], unique=False)
    word = sa.String(length=NAME_KEY_LENGTH).with_variant(sa.String(length=NAME_KEY_LENGTH, collation="C"), "postgresql")
    op.create_table(
        "profile_words",
        sa.Column("word", word, nullable=False),
        sa.Column("account", sa.String(length=42), nullable=False),
        sa.PrimaryKeyConstraint("word", "account"),
    )
    op.create_index("ix_profile_words_account", "profile_words", ["account"])
    # Profiles indexed before this revision: their keys and words from the stored names.
    profiles = sa.table("profiles", sa.column("account"), sa.column("name"), sa.column("valid"), sa.column("name_key"))
    connection = op.get_bind()
    named = connection.execute(sa.select(profiles.c.account, profiles.c.name).where(profiles.c.valid, profiles.c.name.is_not(None))).all()
    for row in named:
        connection.execute(sa.update(profiles).where(profiles.c.account == row.account).values(name_key=name_key(row.name)))
    words = [{"word": word, "account": row.account} for row in named for word in name_words(row.name)]
    if words:
        op.bulk_insert(sa.table("profile_words", sa.column("word"), sa.column("account")), words)


def downgrade() -> None:
    op.drop_index("ix_profile_words_account", table_name="profile_words")
    op.drop_table("profile_words")
    with op.batch_alter_table("profiles", schema=None) as batch_op:
        batch_op.drop_index("ix_profiles_name_key")
        batch_op.drop_column("name_key")
    with op.batch_alter_table("tokens", schema=None) as batch_op:
        batch_op.drop_column("read_block")
        batch_op.drop_column("retry")
