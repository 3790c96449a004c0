"""POST /user, GET /user/{id}, GET /user/{id}/bookings."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.e2e.conftest import MakeUser, error_of

pytestmark = pytest.mark.e2e


def email() -> str:
    return f"{uuid.uuid4().hex[:12]}@test.evently.dev"


async def test_sign_up_returns_the_user_and_a_working_token(http: httpx.AsyncClient) -> None:
    address = email()
    response = await http.post("/user", json={"name": "Ada", "email": address})
    assert response.status_code == 201, response.text
    user = response.json()
    assert user["user_id"] and user["token"] and user["role"] == "customer"
    assert user["email"] == address and user["name"] == "Ada"
    me = await http.get(
        f"/user/{user['user_id']}", headers={"Authorization": f"Bearer {user['token']}"}
    )
    assert me.status_code == 200, me.text
    assert me.json()["user_id"] == user["user_id"] and "token" not in me.json()


async def test_duplicate_email_is_409(http: httpx.AsyncClient) -> None:
    address = email()
    assert (await http.post("/user", json={"name": "A", "email": address})).status_code == 201
    error_of(await http.post("/user", json={"name": "B", "email": address}), 409)
    error_of(await http.post("/user", json={"name": "C", "email": address.upper()}), 409)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "x@test.evently.dev"}, "name"),
        ({"name": "A"}, "email"),
        ({"name": "A", "email": "not-an-email"}, "email"),
        ({"name": 5, "email": "y@test.evently.dev"}, "name"),
        ({"name": "A", "email": "z@test.evently.dev", "role": "god"}, "role"),
        ({"name": "A", "email": "w@test.evently.dev", "is_admin": True}, "is_admin"),
        ({"name": "", "email": "v@test.evently.dev"}, "name"),
    ],
)
async def test_bad_sign_up_bodies_are_422_naming_the_field(
    http: httpx.AsyncClient, body: dict[str, object], field: str
) -> None:
    error = error_of(await http.post("/user", json=body), 422, "validation_error")
    assert error["details"]["field"] == field, error


async def test_other_users_are_hidden(http: httpx.AsyncClient, make_user: MakeUser) -> None:
    alice, bob = await make_user(), await make_user()
    organizer = await make_user("organizer")
    for who in (bob, organizer):
        for path in (f"/user/{alice['user_id']}", f"/user/{alice['user_id']}/bookings"):
            response = await http.get(path, headers=who["headers"])
            assert response.status_code in (403, 404), (path, response.text)
            error_of(response, response.status_code)


async def test_unknown_user_is_404(http: httpx.AsyncClient, admin: dict[str, str]) -> None:
    for path in (f"/user/{uuid.uuid4().hex}", f"/user/{uuid.uuid4().hex}/bookings", "/user/x"):
        error_of(await http.get(path, headers=admin), 404, "user_not_found")


async def test_admin_creates_organizers_and_admins(
    http: httpx.AsyncClient, admin: dict[str, str], make_user: MakeUser
) -> None:
    customer = await make_user()
    for role in ("organizer", "admin"):
        body = {"name": role.title(), "email": email(), "role": role}
        created = await http.post("/user", json=body, headers=admin)
        assert created.status_code == 201, created.text
        assert created.json()["role"] == role
    new_admin = {"Authorization": f"Bearer {created.json()['token']}"}
    response = await http.get(f"/user/{customer['user_id']}", headers=new_admin)
    assert response.status_code == 200, response.text
