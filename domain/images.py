"""Images of chat messages: `data:` URLs decoded and checked, http(s) URLs fetched only when
the operator allows their host.

A private backend must not fetch arbitrary URLs for its callers (it would
reach into the network it sits in), so remote images are off by default:
`images.url_hosts` lists the hosts that may be fetched, each fetch bounded by
`images.url_timeout_seconds` and, like a data URL, by `images.max_bytes`.
Every refusal is INVALID_ARGUMENT (3) naming the part.
"""

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from errors import ApiError, Code
from providers.base import Image

# The formats Bedrock's image blocks and OpenAI's vision models both take, by their magic bytes.
_SIGNATURES = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),  # and "WEBP" at offset 8, checked below
}
_DATA_URL = re.compile(r"data:(image/[a-z]+);base64,(.*)", re.DOTALL)
_FORMATS = "PNG, JPEG, GIF or WebP"


@dataclass(frozen=True, slots=True)
class ImagePolicy:
    """Config `images:`: `max_bytes` (default 3.75 MB, Bedrock's limit), `url_hosts`
    (default none: http(s) image URLs refused), `url_timeout_seconds` (default 5)."""

    max_bytes: int = 3_750_000
    url_hosts: frozenset[str] = field(default_factory=frozenset)
    url_timeout_seconds: float = 5.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "ImagePolicy":
        policy = cls(
            max_bytes=int(config.get("max_bytes", 3_750_000)),
            url_hosts=frozenset(str(h).lower() for h in config.get("url_hosts") or ()),
            url_timeout_seconds=float(config.get("url_timeout_seconds", 5.0)),
        )
        if policy.max_bytes < 1 or policy.url_timeout_seconds <= 0:
            raise ValueError("images: max_bytes and url_timeout_seconds must be > 0")
        return policy


async def load(url: str, policy: ImagePolicy, where: str) -> Image:
    """The image `url` holds or points to; ApiError(3) saying what is wrong with it."""
    if url.startswith("data:"):
        return decode_data_url(url, policy, where)
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise ApiError(Code.INVALID_ARGUMENT, f"{where}: not a data: URL or an http(s) URL")
    return await _fetch(url, policy, where)


def decode_data_url(url: str, policy: ImagePolicy, where: str) -> Image:
    match = _DATA_URL.fullmatch(url)
    if match is None or match.group(1) not in _SIGNATURES:
        raise ApiError(
            Code.INVALID_ARGUMENT,
            f"{where}: a data URL must be data:image/<png|jpeg|gif|webp>;base64,<data>",
        )
    encoded = match.group(2)
    # Refused before decoding: the decoded size is known from the text's length.
    size = len(encoded) * 3 // 4 - (len(encoded) - len(encoded.rstrip("=")))
    if size > policy.max_bytes:
        raise _too_large(where, size, policy)
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ApiError(Code.INVALID_ARGUMENT, f"{where}: the data URL is not valid base64") from exc
    return _checked(data, match.group(1), policy, where)


async def _fetch(url: str, policy: ImagePolicy, where: str) -> Image:
    host = (urlsplit(url).hostname or "").lower()
    if host not in policy.url_hosts:
        allowed = (
            "no host is allowed (images.url_hosts)"
            if not policy.url_hosts
            else (f"{host!r} is not in images.url_hosts")
        )
        raise ApiError(
            Code.INVALID_ARGUMENT,
            f"{where}: this server fetches no image URLs from that host: {allowed}; "
            "send the image as a data: URL",
        )
    chunks: list[bytes] = []
    size = 0
    try:
        async with (
            httpx.AsyncClient(timeout=policy.url_timeout_seconds, follow_redirects=False) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code != 200:
                raise ApiError(
                    Code.INVALID_ARGUMENT,
                    f"{where}: fetching the image answered {response.status_code}",
                )
            media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > policy.max_bytes:
                    raise _too_large(where, size, policy)
                chunks.append(chunk)
    except httpx.TimeoutException as exc:
        raise ApiError(
            Code.INVALID_ARGUMENT,
            f"{where}: the image did not arrive within {policy.url_timeout_seconds:g} s",
        ) from exc
    except httpx.HTTPError as exc:
        raise ApiError(
            Code.INVALID_ARGUMENT, f"{where}: the image could not be fetched ({type(exc).__name__})"
        ) from exc
    data = b"".join(chunks)
    if media_type not in _SIGNATURES:  # a server that does not say, or says octet-stream
        media_type = next((t for t in _SIGNATURES if _is(data, t)), media_type)
    return _checked(data, media_type, policy, where)


def _checked(data: bytes, media_type: str, policy: ImagePolicy, where: str) -> Image:
    if len(data) > policy.max_bytes:
        raise _too_large(where, len(data), policy)
    if not _is(data, media_type):
        raise ApiError(Code.INVALID_ARGUMENT, f"{where}: not a {_FORMATS} image")
    return Image(media_type, data)


def _is(data: bytes, media_type: str) -> bool:
    """Whether `data` starts as an image of `media_type` does (its magic bytes)."""
    signatures = _SIGNATURES.get(media_type)
    if signatures is None or not data.startswith(signatures):
        return False
    return media_type != "image/webp" or data[8:12] == b"WEBP"


def _too_large(where: str, size: int, policy: ImagePolicy) -> ApiError:
    return ApiError(
        Code.INVALID_ARGUMENT,
        f"{where}: the image has {size} bytes, more than the {policy.max_bytes} this server takes",
    )
