"""usernames unique ignoring case: a unique index on lower(username)

Revision ID: 0006
Revises: 0005

Before this index two admins creating the same person at the same moment could leave both "Alice"
and "alice" on the desk. Such a pair is not refused here: this upgrade also runs when the app starts
(`make run`) and when an older backup is restored, and refusing would keep the whole desk down until
someone edited the database by hand. Instead the oldest account keeps its name and each later one is
renamed to the first free "alice-2", "alice-3"...; no account, and none of its work, is lost. Each
rename is logged as a warning and written to the audit history, so the admin can tell that person
their new login name.
"""
import itertools
import json
import logging
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

log = logging.getLogger("factcheck.migrations")
MAX_USERNAME = 80

user = sa.table("user", sa.column("id", sa.Integer()), sa.column("username", sa.String(80)))
auditevent = sa.table(
    "auditevent", sa.column("at", sqlmodel.sql.sqltypes.UTCDateTime()), sa.column("actor_id", sa.Integer()),
    sa.column("action", sa.String(60)), sa.column("object_type", sa.String(40)), sa.column("object_id", sa.Integer()),
    sa.column("claim_id", sa.Integer()), sa.column("changes_json", sa.Text()),
)


def upgrade():
    rename_case_duplicates(op.get_bind())
    op.create_index('uq_user_username_lower', 'user', [sa.text('lower(username)')], unique=True)


def downgrade():
    op.drop_index('uq_user_username_lower', table_name='user')  # renamed accounts keep their new names


def rename_case_duplicates(conn) -> None:
    """Rename every account but the oldest of each group the new index would refuse."""
    folded = sa.func.lower(user.c.username)  # the database's own folding, as the index will use
    rows = conn.execute(sa.select(user.c.id, user.c.username, folded).order_by(user.c.id)).all()
    taken = {key for _id, _name, key in rows}
    kept = set()
    for user_id, name, key in rows:
        if key not in kept:
            kept.add(key)
            continue
        new = free_name(name, taken)
        taken.add(new.lower())
        conn.execute(sa.update(user).where(user.c.id == user_id).values(username=new))
        conn.execute(sa.insert(auditevent).values(
            at=datetime.now(timezone.utc), actor_id=None, action="user.rename", object_type="user",
            object_id=user_id, claim_id=None, changes_json=json.dumps({"username": [name, new]})))
        log.warning("Usernames now ignore case: user %d %r clashed with an older account and is now %r.",
                    user_id, name, new)


def free_name(name: str, taken: set[str]) -> str:
    for n in itertools.count(2):
        suffix = f"-{n}"
        candidate = name[:MAX_USERNAME - len(suffix)] + suffix
        if candidate.lower() not in taken:
            return candidate
