"""ConversationService over HTTP: CRUD, client ids, update masks, etags, pages, isolation."""

import base64

from tests.api.resource_client import Api, api, assert_error, new_conversation

__all__ = ["api"]


def test_create_get_list_delete(api: Api) -> None:
    _, client = api.new_user()
    created = new_conversation(client, title="first", systemPrompt="be brief")
    assert created["name"] == f"conversations/{created['id']}"
    assert (created["title"], created["systemPrompt"], created["model"]) == (
        "first",
        "be brief",
        "echo",
    )
    assert created["messageCount"] == 0 and created["etag"]
    assert created["createTime"].endswith("Z")
    got = client.get(f"/v1/conversations/{created['id']}")
    assert got.status_code == 200 and got.json() == created
    listed = client.get("/v1/conversations")
    assert listed.status_code == 200
    assert listed.json() == {"conversations": [created], "nextPageToken": ""}
    deleted = client.delete(f"/v1/conversations/{created['id']}")
    assert deleted.status_code == 200
    assert_error(client.get(f"/v1/conversations/{created['id']}"), 5)
    assert_error(client.delete(f"/v1/conversations/{created['id']}"), 5)


def test_client_chosen_id_and_already_exists(api: Api) -> None:
    _, client = api.new_user()
    response = client.post("/v1/conversations", params={"conversationId": "my-chat"}, json={})
    assert response.status_code == 200 and response.json()["id"] == "my-chat"
    again = client.post("/v1/conversations", params={"conversationId": "my-chat"}, json={})
    assert_error(again, 6)
    assert_error(client.post("/v1/conversations", params={"conversationId": "Bad_Id"}, json={}), 3)


def test_another_users_conversation_is_not_found(api: Api) -> None:
    mine = new_conversation(api.user, title="private")
    path = f"/v1/conversations/{mine['id']}"
    assert_error(api.other.get(path), 5)
    assert_error(api.other.patch(path, json={"title": "mine now"}), 5)
    assert_error(api.other.delete(path), 5)
    assert_error(api.admin.get(path), 5)  # admins manage keys, not other people's threads
    assert api.user.get(path).json()["title"] == "private"


def test_update_with_mask_and_etag(api: Api) -> None:
    _, client = api.new_user()
    created = new_conversation(client, title="a", systemPrompt="p")
    path = f"/v1/conversations/{created['id']}"
    updated = client.patch(
        path,
        params={"updateMask": "title"},
        json={"title": "b", "systemPrompt": "ignored", "etag": created["etag"]},
    )
    assert updated.status_code == 200
    body = updated.json()
    assert (body["title"], body["systemPrompt"]) == ("b", "p")
    assert body["etag"] != created["etag"]
    # The old etag is stale now: ABORTED, and nothing changes.
    stale = client.patch(
        path, params={"updateMask": "title"}, json={"title": "c", "etag": created["etag"]}
    )
    assert_error(stale, 10)
    assert client.get(path).json() == body
    assert_error(client.delete(path, params={"etag": created["etag"]}), 10)
    assert client.delete(path, params={"etag": body["etag"]}).status_code == 200


def test_empty_mask_updates_every_mutable_field(api: Api) -> None:
    _, client = api.new_user()
    created = new_conversation(client, title="a", systemPrompt="p")
    body = client.patch(f"/v1/conversations/{created['id']}", json={"title": "z"}).json()
    assert (body["title"], body["systemPrompt"], body["model"]) == ("z", "", "echo")


def test_bad_mask_or_model_is_invalid_argument(api: Api) -> None:
    _, client = api.new_user()
    created = new_conversation(client, title="a")
    path = f"/v1/conversations/{created['id']}"
    assert_error(client.patch(path, params={"updateMask": "etag"}, json={"title": "x"}), 3)
    assert_error(client.patch(path, params={"updateMask": "nope"}, json={"title": "x"}), 3)
    assert_error(client.patch(path, params={"updateMask": "model"}, json={"model": "gpt-9"}), 3)
    assert_error(client.post("/v1/conversations", json={"model": "gpt-9"}), 3)
    # The spec's pattern refuses a mask with spaces before the handler sees it.
    spaced = client.patch(path, params={"updateMask": "title, model"}, json={"title": "x"})
    assert "updateMask" in assert_error(spaced, 3)["message"]
    assert client.get(path).json()["title"] == "a"


def test_pages_have_no_duplicates_or_gaps_under_inserts(api: Api) -> None:
    _, client = api.new_user()
    made = [new_conversation(client, title=f"c{i}")["id"] for i in range(7)]
    seen: list[str] = []
    token = ""
    for page in range(10):
        params: dict[str, str | int] = {"pageSize": 3}
        if token:
            params["pageToken"] = token
        response = client.get("/v1/conversations", params=params)
        assert response.status_code == 200
        seen += [c["id"] for c in response.json()["conversations"]]
        if page == 0:
            new_conversation(client, title="inserted meanwhile")
        token = response.json()["nextPageToken"]
        if not token:
            break
    assert seen == list(reversed(made))


def test_tampered_or_foreign_page_token_is_invalid_argument(api: Api) -> None:
    _, client = api.new_user()
    for i in range(3):
        new_conversation(client, title=f"c{i}")
    token = client.get("/v1/conversations", params={"pageSize": 1}).json()["nextPageToken"]
    assert token
    raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    raw[-2] ^= 0x01
    tampered = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    assert_error(client.get("/v1/conversations", params={"pageToken": tampered}), 3)
    assert_error(client.get("/v1/conversations", params={"pageToken": "not-a-token"}), 3)
    assert_error(api.other.get("/v1/conversations", params={"pageToken": token}), 3)
