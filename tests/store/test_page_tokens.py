"""Page tokens: round trip, and every kind of tampering answers INVALID_ARGUMENT (3)."""

import base64
import hashlib
import hmac

import pytest

from errors import ApiError, Code
from store import page_tokens


def test_round_trip_keeps_the_cursor() -> None:
    token = page_tokens.encode("conversations", "alice", ["2025-01-01T00:00:00+00:00", "c1"])
    assert page_tokens.decode(token, "conversations", "alice", 2) == [
        "2025-01-01T00:00:00+00:00",
        "c1",
    ]


def test_token_is_url_safe_and_opaque() -> None:
    token = page_tokens.encode("messages", "alice/c1", [42])
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert "alice" not in token  # base64, not plain text


def _flip(token: str, index: int) -> str:
    raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    raw[index] ^= 0x01
    return base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()


@pytest.mark.parametrize("index", [0, 5, 16, 20, -1])
def test_any_flipped_bit_is_refused(index: int) -> None:
    token = page_tokens.encode("messages", "alice/c1", [42])
    with pytest.raises(ApiError) as caught:
        page_tokens.decode(_flip(token, index), "messages", "alice/c1", 1)
    assert caught.value.code == Code.INVALID_ARGUMENT


@pytest.mark.parametrize("token", ["x", "!!!", "", "AAAA", "a" * 300])
def test_garbage_is_refused(token: str) -> None:
    with pytest.raises(ApiError) as caught:
        page_tokens.decode(token, "messages", "alice/c1", 1)
    assert caught.value.code == Code.INVALID_ARGUMENT


def test_forged_cursor_without_the_key_is_refused() -> None:
    payload = b'["messages","alice/c1",[1]]'
    mac = hmac.new(b"not the server's key", payload, hashlib.sha256).digest()[:16]
    forged = base64.urlsafe_b64encode(mac + payload).rstrip(b"=").decode()
    with pytest.raises(ApiError) as caught:
        page_tokens.decode(forged, "messages", "alice/c1", 1)
    assert caught.value.code == Code.INVALID_ARGUMENT


def test_token_of_another_list_or_user_is_refused() -> None:
    token = page_tokens.encode("messages", "alice/c1", [3])
    for kind, scope in [("messages", "bob/c1"), ("messages", "alice/c2"), ("apiKeys", "alice/c1")]:
        with pytest.raises(ApiError) as caught:
            page_tokens.decode(token, kind, scope, 1)
        assert caught.value.code == Code.INVALID_ARGUMENT


def test_wrong_arity_is_refused() -> None:
    token = page_tokens.encode("messages", "s", [3])
    with pytest.raises(ApiError):
        page_tokens.decode(token, "messages", "s", 2)
