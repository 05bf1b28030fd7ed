"""The error model: gRPC status codes, the envelope, and how every failure becomes one."""

from errors.api_error import ApiError
from errors.codes import Code, http_status

__all__ = ["ApiError", "Code", "http_status"]
