"""name search by the start of a name: profiles' name keys compared by code point on PostgreSQL

A name typed from its start ("ada l") is a range of ix_profiles_name_key, as the
start of a word is a range of profile_words; so PostgreSQL compares the keys by
code point ("C"), as it does the words and as SQLite does, and the range holds
exactly the names that start with the text. SQLite needs nothing.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 14:20:00
"""

import sqlalchemy as sa
from alembic import op

from gigledger_node.index.market import NAME_KEY_LENGTH

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _name_key_collation(collation: str | None) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.alter_column(
        "profiles",
        "name_key",
        type_=sa.String(length=NAME_KEY_LENGTH, collation=collation),
        existing_type=sa.String(length=NAME_KEY_LENGTH),
        existing_nullable=True,
    )


def upgrade() -> None:
    _name_key_collation("C")  # rebuilds ix_profiles_name_key in that order


def downgrade() -> None:
    _name_key_collation("default")
