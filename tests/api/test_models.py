"""ModelService over HTTP: the catalog from config, echo named as a test model."""

import httpx

from tests.api.resource_client import Api, api, assert_error

__all__ = ["api"]


def test_list_models_names_echo_as_a_test_model(api: Api) -> None:
    response = api.user.get("/v1/models")
    assert response.status_code == 200
    models = {m["id"]: m for m in response.json()["models"]}
    echo = models["echo"]
    assert echo["name"] == "models/echo"
    assert (echo["provider"], echo["testModel"], echo["available"]) == ("ECHO", True, True)
    assert echo["contextWindow"] > echo["maxOutputTokens"] > 0
    assert echo["unavailableReason"] == ""


def test_get_model(api: Api) -> None:
    response = api.user.get("/v1/models/echo")
    assert response.status_code == 200 and response.json()["id"] == "echo"


def test_unknown_model_is_not_found(api: Api) -> None:
    assert_error(api.user.get("/v1/models/no-such-model"), 5)


def test_models_need_a_key(live_url: str) -> None:
    assert_error(httpx.get(live_url + "/v1/models"), 16)
