"""Configuration: ENV picks the file, environment overrides single values, prod refuses secrets."""

import pytest

from server import config
from server.config import ConfigError, load_settings


def test_env_picks_the_file_and_overrides_apply() -> None:
    settings = load_settings(
        "test", {"PRIVATELLM_PORT": "9999", "PRIVATELLM_PROVIDERS__ECHO__DELAY_SECONDS": "0.5"}
    )
    assert settings.env == "test"
    assert settings.port == 9999
    assert settings.providers["echo"]["delay_seconds"] == 0.5


def test_unknown_env_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="no config file"):
        load_settings("nowhere", {})


def test_prod_refuses_a_secret_in_the_committed_file(
    tmp_path: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "prod.yaml").write_text("api_key_pepper: hunter2\n")  # type: ignore[operator]
    monkeypatch.setattr(config, "CONFIG_DIR", tmp_path)
    with pytest.raises(ConfigError, match="secrets"):
        load_settings("prod", {})


def test_prod_refuses_a_database_password_in_the_committed_file(
    tmp_path: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = "postgresql+asyncpg://app:hunter2@db:5432/app"
    (tmp_path / "prod.yaml").write_text(f"database_url: {url}\n")  # type: ignore[operator]
    monkeypatch.setattr(config, "CONFIG_DIR", tmp_path)
    with pytest.raises(ConfigError, match="password in database_url"):
        load_settings("prod", {})


def test_prod_refuses_the_local_bootstrap_key() -> None:
    with pytest.raises(ConfigError, match="local and test only"):
        load_settings("prod", {"PRIVATELLM_BOOTSTRAP_ADMIN_KEY": "x"})


def test_prod_takes_secrets_from_the_environment() -> None:
    settings = load_settings("prod", {"PRIVATELLM_API_KEY_PEPPER": "from-env"})
    assert settings.api_key_pepper == "from-env"


def test_generation_timeout_is_read_and_checked() -> None:
    settings = load_settings("test", {"PRIVATELLM_GENERATION_TIMEOUT_SECONDS": "2.5"})
    assert settings.generation_timeout_seconds == 2.5
    for bad in ("0", "-1", "soon", "true"):
        with pytest.raises(ConfigError, match="generation_timeout_seconds"):
            load_settings("test", {"PRIVATELLM_GENERATION_TIMEOUT_SECONDS": bad})


def test_an_all_digit_pepper_is_hashed_as_its_digits() -> None:
    # Environment values are read as YAML, so "12345" arrives as an int.
    settings = load_settings("test", {"PRIVATELLM_API_KEY_PEPPER": "12345"})
    assert settings.api_key_pepper_bytes == b"12345"
    assert load_settings("test", {}).api_key_pepper_bytes is None


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LOG_FORMAT", "xml"),
        ("WORKERS", "0"),
        ("WORKERS", "two"),
        ("DRAIN_TIMEOUT_SECONDS", "-1"),
        ("PROVIDER_HEALTH_INTERVAL_SECONDS", "0"),
        ("DATABASE_TIMEOUT_SECONDS", "true"),
    ],
)
def test_operations_settings_are_checked(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name.lower()):
        load_settings("local", {f"PRIVATELLM_{name}": value})


def test_the_scrape_token_is_a_secret(
    tmp_path: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "prod.yaml").write_text("metrics_token: written-down\n")  # type: ignore[operator]
    monkeypatch.setattr(config, "CONFIG_DIR", tmp_path)
    with pytest.raises(ConfigError, match="metrics_token"):
        load_settings("prod", {})
    monkeypatch.undo()
    from_env = load_settings(
        "prod", {"PRIVATELLM_METRICS_TOKEN": "t", "PRIVATELLM_API_KEY_PEPPER": "p"}
    )
    assert from_env.metrics_token == "t" and from_env.tracing_enabled is False


def test_prod_refuses_to_start_without_a_pepper() -> None:
    with pytest.raises(ConfigError, match="api_key_pepper is required in prod"):
        load_settings("prod", {})


def test_local_makes_a_pepper_once_and_keeps_it_beside_the_admin_key(
    tmp_path: pytest.TempPathFactory,
) -> None:
    pepper_file = tmp_path / "var" / "local-api-key-pepper"  # type: ignore[operator]
    environ = {"PRIVATELLM_LOCAL_PEPPER_FILE": str(pepper_file)}
    first = load_settings("local", environ)
    assert first.api_key_pepper and len(first.api_key_pepper) >= 32
    assert pepper_file.stat().st_mode & 0o777 == 0o600
    assert load_settings("local", environ).api_key_pepper == first.api_key_pepper  # kept
    chosen = load_settings("local", {**environ, "PRIVATELLM_API_KEY_PEPPER": "mine"})
    assert chosen.api_key_pepper == "mine"  # a configured pepper wins
    pepper_file.write_text("\n")
    with pytest.raises(ConfigError, match="empty"):
        load_settings("local", environ)


def test_processes_starting_at_once_agree_on_one_local_pepper(
    tmp_path: pytest.TempPathFactory,
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    path = tmp_path / "pepper"  # type: ignore[operator]
    with ThreadPoolExecutor(8) as pool:
        peppers = set(pool.map(lambda _: config.local_pepper(path), range(16)))
    assert len(peppers) == 1 and peppers == {path.read_text().strip()}


def test_lease_settings_are_read_and_checked() -> None:
    settings = load_settings(
        "test",
        {
            "PRIVATELLM_GENERATION_LEASE_SECONDS": "2",
            "PRIVATELLM_GENERATION_SWEEP_INTERVAL_SECONDS": "0.5",
        },
    )
    assert (settings.generation_lease_seconds, settings.generation_sweep_interval_seconds) == (
        2,
        0.5,
    )
    for name in ("GENERATION_LEASE_SECONDS", "GENERATION_SWEEP_INTERVAL_SECONDS"):
        for bad in ("0", "-1", "soon", "true"):
            with pytest.raises(ConfigError, match=name.lower()):
                load_settings("test", {f"PRIVATELLM_{name}": bad})
