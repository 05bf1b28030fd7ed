"""ApiKeyService over HTTP: the secret shown once, roles, revocation on the next request."""

import httpx

from tests.api.resource_client import Api, api, assert_error

__all__ = ["api"]


def test_create_use_list_revoke(api: Api) -> None:
    user_id, client = api.new_user()
    created = client.post("/v1/apiKeys", json={"displayName": "laptop"})
    assert created.status_code == 200
    key, secret = created.json()["apiKey"], created.json()["secret"]
    assert secret.startswith("pllm_") and key["prefix"] == secret[: len(key["prefix"])]
    assert (key["user"], key["role"], key["state"], key["displayName"]) == (
        user_id,
        "USER",
        "ACTIVE",
        "laptop",
    )
    assert key["name"] == f"apiKeys/{key['id']}" and "revokeTime" not in key
    new_client = api.client(secret)
    assert new_client.get("/v1/conversations").status_code == 200
    listed = client.get("/v1/apiKeys")
    assert listed.status_code == 200
    assert secret not in listed.text
    assert listed.json()["apiKeys"][0] == key  # newest first
    revoked = client.post(f"/v1/apiKeys/{key['id']}:revoke", json={})
    assert revoked.status_code == 200
    assert revoked.json()["state"] == "REVOKED" and revoked.json()["revokeTime"]
    assert_error(new_client.get("/v1/conversations"), 16)  # the very next request
    again = client.post(f"/v1/apiKeys/{key['id']}:revoke", json={})
    assert again.status_code == 200 and again.json() == revoked.json()


def test_user_needs_admin_for_admin_keys_and_other_users(api: Api) -> None:
    _, client = api.new_user()
    assert_error(client.post("/v1/apiKeys", json={"role": "ADMIN"}), 7)
    assert_error(client.post("/v1/apiKeys", json={"user": "someone-else"}), 7)
    assert_error(client.get("/v1/apiKeys", params={"user": "*"}), 7)
    assert_error(client.get("/v1/apiKeys", params={"user": "someone-else"}), 7)


def test_admin_manages_everyones_keys(api: Api) -> None:
    user_id, client = api.new_user()
    own = client.post("/v1/apiKeys", json={}).json()["apiKey"]
    listed = api.admin.get("/v1/apiKeys", params={"user": user_id}).json()["apiKeys"]
    assert own["id"] in [k["id"] for k in listed] and {k["user"] for k in listed} == {user_id}
    everyone = api.admin.get("/v1/apiKeys", params={"user": "*", "pageSize": 1000}).json()
    assert len({k["user"] for k in everyone["apiKeys"]}) >= 2
    admin_key = api.admin.post("/v1/apiKeys", json={"user": user_id, "role": "ADMIN"})
    assert admin_key.status_code == 200 and admin_key.json()["apiKey"]["role"] == "ADMIN"
    revoked = api.admin.post(f"/v1/apiKeys/{own['id']}:revoke", json={})
    assert revoked.status_code == 200 and revoked.json()["state"] == "REVOKED"


def test_another_users_key_is_not_found(api: Api) -> None:
    _, owner = api.new_user()
    _, stranger = api.new_user()
    key = owner.post("/v1/apiKeys", json={}).json()["apiKey"]
    assert_error(stranger.post(f"/v1/apiKeys/{key['id']}:revoke", json={}), 5)
    assert_error(stranger.post("/v1/apiKeys/knope:revoke", json={}), 5)
    assert owner.get("/v1/apiKeys").json()["apiKeys"][0]["state"] == "ACTIVE"


def test_key_pages_and_tampered_token(api: Api) -> None:
    _, client = api.new_user()
    for i in range(4):
        client.post("/v1/apiKeys", json={"displayName": f"k{i}"})
    seen: list[str] = []
    token = ""
    for _ in range(10):
        params: dict[str, str | int] = {"pageSize": 2}
        if token:
            params["pageToken"] = token
        page = client.get("/v1/apiKeys", params=params).json()
        seen += [k["displayName"] for k in page["apiKeys"]]
        token = page["nextPageToken"]
        if not token:
            break
    assert seen[:4] == ["k3", "k2", "k1", "k0"] and len(seen) == 5  # + the key of new_user()
    first = client.get("/v1/apiKeys", params={"pageSize": 1}).json()["nextPageToken"]
    assert_error(client.get("/v1/apiKeys", params={"pageToken": first + "x"}), 3)


def test_bad_keys_are_unauthenticated(live_url: str) -> None:
    for headers in ({}, {"Authorization": "Bearer pllm_wrong"}, {"Authorization": "Basic abc"}):
        assert_error(httpx.get(live_url + "/v1/apiKeys", headers=headers), 16)


def test_a_user_key_cannot_see_or_revoke_its_users_admin_key(api: Api) -> None:
    # As the issue found it: a USER key issued for a user who also holds an ADMIN key.
    user_id, admin_of_user = api.new_user(role="ADMIN")
    made = api.admin.post("/v1/apiKeys", json={"user": user_id, "role": "USER"})
    assert made.status_code == 200, made.text
    weaker = api.client(made.json()["secret"])
    keys = admin_of_user.get("/v1/apiKeys").json()["apiKeys"]
    admin_key = next(key for key in keys if key["role"] == "ADMIN")
    listed = weaker.get("/v1/apiKeys").json()["apiKeys"]
    assert [key["role"] for key in listed] == ["USER"]
    assert_error(weaker.post(f"/v1/apiKeys/{admin_key['id']}:revoke", json={}), 5)
    assert admin_of_user.get("/v1/apiKeys").status_code == 200  # still valid
    assert len(made.json()["apiKey"]["prefix"]) == len("pllm_") + 4
