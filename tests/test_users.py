import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from factcheck import db, users
from factcheck.errors import InvalidInput
from factcheck.models import Article, Role, User
from tests.factories import PASSWORD, make_user


@pytest.mark.parametrize("password", ["short", "password1234", "aaaaaaaaaaaaaaaa", "x" * 257, "alice-secret-1234"])
def test_weak_passwords_are_refused(session, password):
    with pytest.raises(InvalidInput):
        users.create_user(session=session, actor=None, username="alice", password=password, role="reviewer")


def test_passwords_are_hashed_and_authenticate(session):
    user = make_user(session, Role.EDITOR, username="bob")
    assert PASSWORD not in user.password_hash
    assert users.authenticate(session=session, username="bob", password=PASSWORD).id == user.id
    assert users.authenticate(session=session, username="bob", password="wrong password here") is None
    assert users.authenticate(session=session, username="nobody", password=PASSWORD) is None


def test_a_username_is_the_same_person_in_any_case(session):
    """Usernames are unique ignoring case, so "Bob" at the login form, or in an assignment, is bob."""
    user = make_user(session, Role.EDITOR, username="Bob")
    for typed in ("bob", "BOB", " Bob "):
        assert users.authenticate(session=session, username=typed, password=PASSWORD).id == user.id
        assert users.get_user(session=session, username=typed).id == user.id
    assert users.authenticate(session=session, username="bob", password=PASSWORD.upper()) is None


def test_duplicate_and_bad_usernames(session):
    make_user(session, username="carol")
    with pytest.raises(InvalidInput, match="exists"):
        make_user(session, username="carol")
    with pytest.raises(InvalidInput, match="Username"):
        make_user(session, username="<script>")


def test_deactivation_ends_sessions_and_login(session):
    admin, user = make_user(session, Role.ADMIN), make_user(session, username="dave")
    epoch = user.session_epoch
    users.update_user(session=session, actor=admin, user=user, active=False)
    assert user.session_epoch == epoch + 1
    assert users.authenticate(session=session, username="dave", password=PASSWORD) is None
    with pytest.raises(InvalidInput):
        users.update_user(session=session, actor=admin, user=admin, active=False)


@pytest.mark.parametrize("change", [{"role": "reviewer"}, {"role": "editor"}, {"role": "editor", "active": True}])
def test_the_only_admin_cannot_demote_themself(session, change):
    admin = make_user(session, Role.ADMIN)
    make_user(session, Role.EDITOR)
    with pytest.raises(InvalidInput, match="needs an active admin"):
        users.update_user(session=session, actor=admin, user=admin, **change)
    session.refresh(admin)
    assert admin.role == Role.ADMIN and admin.active


def test_the_last_active_admin_cannot_be_demoted_or_deactivated_by_another_admin(session):
    admin, other = make_user(session, Role.ADMIN), make_user(session, Role.ADMIN)
    users.update_user(session=session, actor=admin, user=other, active=False)  # one active admin is left
    with pytest.raises(InvalidInput, match="needs an active admin"):
        users.update_user(session=session, actor=other, user=admin, role="editor")
    with pytest.raises(InvalidInput, match="needs an active admin"):
        users.update_user(session=session, actor=other, user=admin, active=False)
    users.update_user(session=session, actor=admin, user=other, active=True)
    users.update_user(session=session, actor=admin, user=admin, role="editor")  # another admin remains now
    session.refresh(admin)
    assert admin.role == Role.EDITOR


@pytest.mark.parametrize("variant", ["NEWBIE", "Newbie", "newBie", " newbie "])
def test_usernames_that_differ_only_in_case_are_the_same_user(session, variant):
    make_user(session, username="newbie")
    with pytest.raises(InvalidInput, match="User 'newbie' already exists"):
        make_user(session, username=variant)
    assert [u.username for u in users.list_users(session=session)] == ["newbie"]
    assert users.authenticate(session=session, username="newbie", password=PASSWORD) is not None


# --- two changes at once: the database, not only the check before the save, keeps the rules ---------

def writer_session(app) -> Session:
    """A session like a request's or a CLI command's: on SQLite it takes the write lock at BEGIN."""
    return Session(db.writer(db.get_engine(app)), expire_on_commit=False)


def test_the_database_itself_refuses_a_username_differing_only_in_case(session):
    make_user(session, username="newbie")
    session.add(User(username="NewBie", password_hash="x", role=Role.REVIEWER))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    assert [u.username for u in users.list_users(session=session)] == ["newbie"]


def refusal(change) -> InvalidInput | None:
    """What refused the change, or None when it went through."""
    try:
        change()
    except InvalidInput as exc:
        return exc
    return None


def test_one_person_created_twice_at_once_is_created_once_and_the_other_told_why(app, session, database_url, meanwhile):
    other = meanwhile("INSERT INTO user", lambda s: users.create_user(session=s, actor=None, username="Alice",
                                                                      password=PASSWORD, role="reviewer"))
    with writer_session(app) as mine:
        refused_here = refusal(lambda: users.create_user(session=mine, actor=None, username="alice",
                                                         password=PASSWORD, role="editor"))
    meanwhile.join()
    refusals = [exc for exc in (refused_here, other.get("error")) if exc is not None]
    assert len(refusals) == 1, refusals
    assert isinstance(refusals[0], InvalidInput) and refusals[0].field == "username"
    assert "already exists (usernames ignore case)" in refusals[0].message
    if database_url.startswith("postgresql"):  # the other committed first; the index refused this insert
        assert refused_here is not None
        assert refused_here.message == "User 'Alice' already exists (usernames ignore case)."
    session.rollback()
    assert session.exec(select(func.count()).select_from(User).where(func.lower(User.username) == "alice")).one() == 1


@pytest.mark.parametrize("change", [{"role": "editor"}, {"active": False}])
def test_two_admins_demoting_each_other_at_once_leave_the_desk_an_admin(app, session, database_url, meanwhile, change):
    ada, bea = make_user(session, Role.ADMIN, username="ada"), make_user(session, Role.ADMIN, username="bea")
    other = meanwhile("UPDATE user", lambda s: users.update_user(session=s, actor=s.get(User, ada.id),
                                                                 user=s.get(User, bea.id), **change))
    with writer_session(app) as mine:
        refused_here = refusal(lambda: users.update_user(session=mine, actor=mine.get(User, bea.id),
                                                         user=mine.get(User, ada.id), **change))
    meanwhile.join()
    refusals = [exc for exc in (refused_here, other.get("error")) if exc is not None]
    assert len(refusals) == 1, refusals
    assert isinstance(refusals[0], InvalidInput) and "needs an active admin" in refusals[0].message
    if database_url.startswith("postgresql"):  # this change held the admins' rows: the other waited and saw it
        assert refused_here is None
    session.rollback()
    admins = session.exec(select(User).where(User.role == Role.ADMIN, User.active == True)).all()  # noqa: E712
    assert len(admins) == 1


def test_a_role_change_does_not_wait_for_an_admins_import_still_running(app, session, database_url):
    """An import holds its transaction open for minutes on a long article, its rows pointing at the
    importing admin (imported_by_id, the audit's actor_id): changing another member's role must not
    queue behind it. The admins' rows are locked only against each other's changes."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite serialises write transactions whole")
    ada, bea = make_user(session, Role.ADMIN, username="ada"), make_user(session, Role.ADMIN, username="bea")
    rob = make_user(session, Role.REVIEWER, username="rob")
    with writer_session(app) as importing, writer_session(app) as mine:
        importing.add(Article(title="A long story", text="It goes on.", imported_by_id=ada.id))
        importing.flush()  # written, not committed: the import is still analysing its claims
        mine.exec(sa.text("SET LOCAL lock_timeout = '2s'"))
        users.update_user(session=mine, actor=mine.get(User, bea.id), user=mine.get(User, rob.id), role="editor")
        importing.rollback()
    session.rollback()
    assert session.exec(select(User.role).where(User.id == rob.id)).one() == Role.EDITOR
