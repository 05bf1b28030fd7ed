"""The spec and the Swagger UI are served beside the API, and a path that only looks like
theirs is the API's (its envelope), whichever layer routes it."""

import httpx
import yaml
from starlette.routing import Mount, Route, Router

from server.swagger_ui import _prefixes


def test_the_spec_is_served_as_yaml(live_url: str) -> None:
    answer = httpx.get(live_url + "/openapi.yaml")
    assert answer.status_code == 200
    assert "/openai/v1/chat/completions" in yaml.safe_load(answer.text)["paths"]


def test_the_ui_is_served_and_its_bare_path_redirects(live_url: str) -> None:
    page = httpx.get(live_url + "/ui/")
    assert page.status_code == 200 and "swagger" in page.text.lower()
    assert httpx.get(live_url + "/ui").status_code in (301, 302, 307, 308)
    # The router's trailing-slash redirect still applies to the UI's own paths.
    assert httpx.get(live_url + "/openapi.yaml/").status_code in (301, 302, 307, 308)


def test_paths_near_the_uis_are_the_apis(live_url: str) -> None:
    for path in ("/uix", "/openapi.json", "/v1/ui"):
        answer = httpx.get(live_url + path)
        assert answer.status_code == 404, path
        assert answer.json()["code"] == 12, path


def test_prefixes_cover_every_route_below_their_mounts() -> None:
    async def nothing(*_: object) -> None:
        return None

    routes = [
        Mount("", routes=[Route("/openapi.yaml", nothing), Route("/ui/{name}", nothing)]),
        Mount("/static", app=nothing),
    ]
    assert sorted(_prefixes(Router(routes=routes).routes)) == [
        "/openapi.yaml",
        "/static",
        "/ui/",
    ]
