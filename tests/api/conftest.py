"""API fixtures: a token per role, and a client that sends it as a Bearer header."""
from __future__ import annotations

import pytest

from factcheck import tokens
from factcheck.models import Role

ANON, REVIEWER, EDITOR, ADMIN = "anonymous", "reviewer", "editor", "admin"
ROLES = (ANON, REVIEWER, EDITOR, ADMIN)
PREFIX = "/api/v1"


class Api:
    """Calls /api/v1 as a role (by token) or anonymously; every response must be JSON."""

    def __init__(self, client, auth, session):
        self.client, self.auth, self.session = client, auth, session
        self.raw: dict[str, str] = {}

    def user(self, role: str, name: str | None = None):
        return self.auth.user(Role(role), name)

    def token_for(self, role: str, name: str | None = None) -> str:
        key = name or role
        if key not in self.raw:
            user = self.user(role, name)
            _token, self.raw[key] = tokens.create_token(session=self.session, actor=user, name=f"tests {key}")
        return self.raw[key]

    def headers(self, as_: str | None, name: str | None = None) -> dict:
        return {} if as_ in (None, ANON) else {"Authorization": f"Bearer {self.token_for(as_, name)}"}

    def get(self, path: str, as_: str | None = REVIEWER, name: str | None = None, **kw):
        return self._checked(self.client.get(PREFIX + path, headers=self.headers(as_, name), **kw))

    def post(self, path: str, body=None, as_: str | None = REVIEWER, name: str | None = None, **kw):
        if body is not None:
            kw["json"] = body
        return self._checked(self.client.post(PREFIX + path, headers=self.headers(as_, name), **kw))

    @staticmethod
    def _checked(response):
        assert response.is_json, (response.status_code, response.get_data(as_text=True)[:300])
        assert response.status_code < 500, response.get_json()
        if response.status_code >= 400:
            error = response.get_json()["error"]
            assert error["code"] and error["message"]
        return response


@pytest.fixture
def api(client, auth, session):
    return Api(client, auth, session)


def error_code(response) -> str:
    return response.get_json()["error"]["code"]
