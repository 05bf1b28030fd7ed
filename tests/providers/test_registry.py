"""The provider registry and the catalog built from config."""

from typing import Any

import pytest

from domain import catalog, views
from errors import ApiError, Code
from providers import registry as registry_module
from providers.echo import EchoProvider
from providers.registry import ProviderRegistry, UnavailableProvider
from tests.store.db_fixtures import echo_catalog


def test_catalog_in_config_order_with_defaults() -> None:
    providers, models = echo_catalog()
    reg = ProviderRegistry.from_config(providers, models)
    assert [m.id for m in reg.models()] == ["echo", "echo-large", "echo-disabled"]
    echo = reg.model("echo")
    assert echo is not None and echo.test_model and echo.upstream_id == "echo"
    assert isinstance(reg.provider("local-echo"), EchoProvider)
    rendered = [views.model(entry) for entry in catalog.list_models(reg)]
    assert rendered[0]["provider"] == "ECHO" and rendered[0]["available"] is True
    assert rendered[0]["testModel"] is True and rendered[0]["unavailableReason"] == ""
    assert rendered[2]["available"] is False and "disabled" in rendered[2]["unavailableReason"]


def test_get_model_unknown_is_not_found() -> None:
    reg = ProviderRegistry.from_config(*echo_catalog())
    with pytest.raises(ApiError) as caught:
        catalog.get_model(reg, "nope")
    assert caught.value.code == Code.NOT_FOUND


@pytest.mark.parametrize(
    ("providers", "models"),
    [
        ({"p": {"type": "nope"}}, []),
        (
            {"p": {"type": "echo"}},
            [{"id": "m", "provider": "other", "context_window": 9, "max_output_tokens": 1}],
        ),
        (
            {"p": {"type": "echo"}},
            [{"id": "m", "provider": "p", "context_window": 9, "max_output_tokens": 9}],
        ),
        ({"p": {"type": "echo"}}, [{"provider": "p", "context_window": 9, "max_output_tokens": 1}]),
        (
            {"p": {"type": "echo"}},
            [{"id": "m", "provider": "p", "context_window": 9, "max_output_tokens": 1}] * 2,
        ),
        pytest.param(
            {"p": {"type": "echo"}},
            [
                {
                    "id": "m",
                    "provider": "p",
                    "context_window": 9,
                    "max_output_tokens": 1,
                    "fallbacks": ["gone"],
                }
            ],
            id="fallback-not-in-catalog",
        ),
        pytest.param(
            {"p": {"type": "echo"}},
            [
                {
                    "id": "m",
                    "provider": "p",
                    "context_window": 9,
                    "max_output_tokens": 1,
                    "fallbacks": ["m"],
                }
            ],
            id="fallback-to-itself",
        ),
    ],
)
def test_bad_config_is_refused_at_start(providers: Any, models: Any) -> None:
    with pytest.raises(ValueError):
        ProviderRegistry.from_config(providers, models)


async def test_missing_provider_module_makes_its_models_unavailable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(registry_module.PROVIDER_TYPES, "bedrock", ("providers.not_written", "X"))
    reg = ProviderRegistry.from_config(
        {"aws": {"type": "bedrock"}},
        [{"id": "claude", "provider": "aws", "context_window": 1000, "max_output_tokens": 10}],
    )
    provider = reg.provider("aws")
    assert isinstance(provider, UnavailableProvider)
    spec = reg.model("claude")
    assert spec is not None and not spec.test_model
    entry = catalog.get_model(reg, "claude")
    assert not entry.availability.available and "not installed" in entry.availability.reason
    with pytest.raises(ApiError) as caught:
        catalog.callable_model(reg, spec)
    assert caught.value.code == Code.FAILED_PRECONDITION
    # Not configured is not "not ready": readiness skips it.
    assert await reg.check_ready() == [
        ("provider:aws", True, f"skipped: not configured ({entry.availability.reason})")
    ]


async def test_check_ready_reports_each_provider() -> None:
    reg = ProviderRegistry.from_config(*echo_catalog())
    assert await reg.check_ready() == [
        ("provider:local-echo", True, ""),
        ("provider:off", True, "skipped: serves no enabled model"),
    ]
    await reg.aclose()
