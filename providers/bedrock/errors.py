"""Bedrock's failures in our codes: botocore's exceptions and AWS's error types.

See the package docstring for the table. What both upstream providers share
(the HTTP-status fallback, transport failures) is `providers.upstream_errors`.
"""

import re

import urllib3.exceptions
from botocore.eventstream import ParserError
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    CredentialRetrievalError,
    EndpointConnectionError,
    HTTPClientError,
    NoCredentialsError,
    NoRegionError,
    ParamValidationError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
    SSOError,
    TokenRetrievalError,
)

from errors import ApiError, Code
from providers.aws_credentials import CREDENTIALS_HELP
from providers.retry import Retryable
from providers.upstream_errors import MAX_ERROR_TEXT, status_error, transport_failure

# AWS error codes, lower-cased: HTTP errors say "ThrottlingException", stream
# exception events "throttlingException".
_RETRYABLE = {
    "throttlingexception": "throttled",
    "serviceunavailableexception": "service unavailable",
    "modelnotreadyexception": "model not ready",
    "internalserverexception": "internal error",
    "modelstreamerrorexception": "the model's stream failed",
    "modelerrorexception": "the model failed",
}
CREDENTIALS_REJECTED = {
    "unrecognizedclientexception",
    "invalidsignatureexception",
    "incompletesignatureexception",
    "expiredtokenexception",
    "missingauthenticationtokenexception",
    "invalidclienttokenid",
    "signaturedoesnotmatch",
}
_TOO_LONG = re.compile(
    r"input is too long|prompt is too long|too many input tokens|input tokens exceed|"
    r"too large for model|context (window|length|limit)",
    re.IGNORECASE,
)
# A ThrottlingException about a daily quota ("Too many tokens per day"): the
# account's quota, which no retry within seconds (nor a fallback's retry) fixes.
_DAILY_QUOTA = re.compile(r"per day", re.IGNORECASE)
_NO_MODEL_ACCESS = re.compile(
    r"don'?t have access|do not have access|not enabled|access denied|"
    r"model identifier is invalid|on-demand throughput",
    re.IGNORECASE,
)
REGION_HELP = "set `region` in the provider config, or export AWS_REGION=<region>"
_ACCESS_HELP = (
    "enable access to this model in the Bedrock console (Model access) for the region, "
    "and allow bedrock:InvokeModel / InvokeModelWithResponseStream in IAM"
)


def map_error(who: str, exc: Exception, broken: str = "connection failed") -> Exception:
    """An SDK failure as ApiError, or Retryable wrapping one when another try may help.

    `broken` says what a transport failure broke (a call, or a stream midway).
    """
    if isinstance(exc, ApiError | Retryable):
        return exc
    if isinstance(exc, ClientError):  # EventStreamError (in-stream exceptions) included
        return client_error(who, exc)
    if isinstance(exc, ReadTimeoutError | urllib3.exceptions.ReadTimeoutError):
        return ApiError(Code.DEADLINE_EXCEEDED, f"{who}: no answer within the read timeout")
    if isinstance(exc, ParserError):  # a frame with a bad checksum or length
        return Retryable(ApiError(Code.UNAVAILABLE, f"{who}: malformed stream event"))
    if isinstance(
        exc,
        EndpointConnectionError  # ConnectTimeoutError included
        | ConnectionClosedError
        | HTTPClientError
        | urllib3.exceptions.HTTPError
        | OSError,
    ):
        return transport_failure(who, broken, exc)
    if isinstance(
        exc,
        NoCredentialsError
        | PartialCredentialsError
        | CredentialRetrievalError
        | TokenRetrievalError
        | SSOError
        | ProfileNotFound,
    ):
        return ApiError(Code.FAILED_PRECONDITION, f"{who}: {exc}; {CREDENTIALS_HELP}")
    if isinstance(exc, NoRegionError):
        return ApiError(Code.FAILED_PRECONDITION, f"{who}: no AWS region; {REGION_HELP}")
    if isinstance(exc, ParamValidationError):
        return ApiError(Code.INVALID_ARGUMENT, f"{who}: {exc}")
    return ApiError(Code.UNKNOWN, f"{who}: {type(exc).__name__}: {exc}")


def client_error(who: str, exc: ClientError) -> Exception:
    """An AWS error answer (HTTP, or an exception event inside a stream)."""
    error = exc.response.get("Error", {})
    code = str(error.get("Code") or "")
    message = str(error.get("Message") or "")[:MAX_ERROR_TEXT]
    status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    kind = code.lower()
    detail = f"{who} answered {code or status}: {message}"
    quota = f"{detail} (the AWS account's quota)"
    if kind == "throttlingexception" and _DAILY_QUOTA.search(message):
        return ApiError(Code.RESOURCE_EXHAUSTED, quota)
    if kind in _RETRYABLE:
        label = f"{who}: {_RETRYABLE[kind]}"
        return Retryable(ApiError(Code.UNAVAILABLE, f"{label} ({message})" if message else label))
    if kind == "servicequotaexceededexception":
        return ApiError(Code.RESOURCE_EXHAUSTED, quota)
    if kind == "modeltimeoutexception":
        return ApiError(Code.DEADLINE_EXCEEDED, detail)
    if kind in CREDENTIALS_REJECTED:
        return ApiError(
            Code.FAILED_PRECONDITION,
            f"{who}: AWS rejected the credentials ({code}); {CREDENTIALS_HELP}; "
            "then restart the server, which reads them at start-up",
        )
    if kind == "validationexception" and _TOO_LONG.search(message):
        return ApiError(Code.OUT_OF_RANGE, f"{detail} (the prompt exceeds the context window)")
    if kind in (
        "accessdeniedexception",
        "resourcenotfoundexception",
    ) or _NO_MODEL_ACCESS.search(message):
        return ApiError(Code.FAILED_PRECONDITION, f"{detail}; {_ACCESS_HELP}")
    if kind == "validationexception":
        return ApiError(Code.INVALID_ARGUMENT, detail)
    return status_error(status, detail)
