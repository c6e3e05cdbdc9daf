import pytest

from factcheck import users
from factcheck.errors import InvalidInput
from factcheck.models import Role
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
