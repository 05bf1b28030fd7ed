from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="Limits")


@_attrs_define
class Limits:
    """Caps on what may be used. An unset field is unlimited. Token counts are
    prompt plus answer; costs are in the deployment's currency (see the
    models' prices in the server's configuration). The 64-bit token budgets
    are JSON strings, as proto3's JSON mapping writes 64-bit integers.

       Attributes:
           requests_per_minute (int | Unset): Generations started in any 60 seconds. Example: 50.
           tokens_per_minute (int | Unset): Tokens in any 60 seconds. Example: 20000.
           tokens_per_day (str | Unset): Tokens per calendar day (UTC). Example: 1000000.
           tokens_per_month (str | Unset): Tokens per calendar month (UTC).
           cost_per_day (float | Unset): Cost per calendar day (UTC).
           cost_per_month (float | Unset): Cost per calendar month (UTC).
           concurrent_streams (int | Unset): Streamed answers being written at once.
           models (list[str] | Unset): Keys only: the model ids the key may use; every model when empty.
                Another model answers PERMISSION_DENIED (7).
           max_api_keys (int | Unset): Users only: active keys the user may hold.
           max_conversations (int | Unset): Users only: conversations the user may hold.
           max_message_bytes (str | Unset): Users only: UTF-8 bytes of message content the user may hold: the
                messages of its conversations (its own and the answers) and their system
                prompts. A message or system prompt that would pass it answers
                RESOURCE_EXHAUSTED (8); an answer is never cut off, its bytes count when
                it ends. Deleting a conversation frees its bytes. Example: 10000000.
    """

    requests_per_minute: int | Unset = UNSET
    tokens_per_minute: int | Unset = UNSET
    tokens_per_day: str | Unset = UNSET
    tokens_per_month: str | Unset = UNSET
    cost_per_day: float | Unset = UNSET
    cost_per_month: float | Unset = UNSET
    concurrent_streams: int | Unset = UNSET
    models: list[str] | Unset = UNSET
    max_api_keys: int | Unset = UNSET
    max_conversations: int | Unset = UNSET
    max_message_bytes: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        requests_per_minute = self.requests_per_minute

        tokens_per_minute = self.tokens_per_minute

        tokens_per_day = self.tokens_per_day

        tokens_per_month = self.tokens_per_month

        cost_per_day = self.cost_per_day

        cost_per_month = self.cost_per_month

        concurrent_streams = self.concurrent_streams

        models: list[str] | Unset = UNSET
        if not isinstance(self.models, Unset):
            models = self.models

        max_api_keys = self.max_api_keys

        max_conversations = self.max_conversations

        max_message_bytes = self.max_message_bytes

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if requests_per_minute is not UNSET:
            field_dict["requestsPerMinute"] = requests_per_minute
        if tokens_per_minute is not UNSET:
            field_dict["tokensPerMinute"] = tokens_per_minute
        if tokens_per_day is not UNSET:
            field_dict["tokensPerDay"] = tokens_per_day
        if tokens_per_month is not UNSET:
            field_dict["tokensPerMonth"] = tokens_per_month
        if cost_per_day is not UNSET:
            field_dict["costPerDay"] = cost_per_day
        if cost_per_month is not UNSET:
            field_dict["costPerMonth"] = cost_per_month
        if concurrent_streams is not UNSET:
            field_dict["concurrentStreams"] = concurrent_streams
        if models is not UNSET:
            field_dict["models"] = models
        if max_api_keys is not UNSET:
            field_dict["maxApiKeys"] = max_api_keys
        if max_conversations is not UNSET:
            field_dict["maxConversations"] = max_conversations
        if max_message_bytes is not UNSET:
            field_dict["maxMessageBytes"] = max_message_bytes

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        requests_per_minute = d.pop("requestsPerMinute", UNSET)

        tokens_per_minute = d.pop("tokensPerMinute", UNSET)

        tokens_per_day = d.pop("tokensPerDay", UNSET)

        tokens_per_month = d.pop("tokensPerMonth", UNSET)

        cost_per_day = d.pop("costPerDay", UNSET)

        cost_per_month = d.pop("costPerMonth", UNSET)

        concurrent_streams = d.pop("concurrentStreams", UNSET)

        models = cast(list[str], d.pop("models", UNSET))

        max_api_keys = d.pop("maxApiKeys", UNSET)

        max_conversations = d.pop("maxConversations", UNSET)

        max_message_bytes = d.pop("maxMessageBytes", UNSET)

        limits = cls(
            requests_per_minute=requests_per_minute,
            tokens_per_minute=tokens_per_minute,
            tokens_per_day=tokens_per_day,
            tokens_per_month=tokens_per_month,
            cost_per_day=cost_per_day,
            cost_per_month=cost_per_month,
            concurrent_streams=concurrent_streams,
            models=models,
            max_api_keys=max_api_keys,
            max_conversations=max_conversations,
            max_message_bytes=max_message_bytes,
        )

        return limits
