from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.chat_completion_chunk_delta import ChatCompletionChunkDelta


T = TypeVar("T", bound="ChatCompletionChunkChoice")


@_attrs_define
class ChatCompletionChunkChoice:
    """One choice of a streamed chunk.

    Attributes:
        index (int | Unset): Position of the choice; always 0.
        delta (ChatCompletionChunkDelta | Unset): The new text of a streamed answer.
        finish_reason (str | Unset): Set in the chunk that ends the answer: `stop`, `length`, `content_filter` or
            `tool_calls`.
    """

    index: int | Unset = UNSET
    delta: ChatCompletionChunkDelta | Unset = UNSET
    finish_reason: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        index = self.index

        delta: dict[str, Any] | Unset = UNSET
        if not isinstance(self.delta, Unset):
            delta = self.delta.to_dict()

        finish_reason = self.finish_reason

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if index is not UNSET:
            field_dict["index"] = index
        if delta is not UNSET:
            field_dict["delta"] = delta
        if finish_reason is not UNSET:
            field_dict["finish_reason"] = finish_reason

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.chat_completion_chunk_delta import ChatCompletionChunkDelta  # noqa: PLC0415

        d = dict(src_dict)
        index = d.pop("index", UNSET)

        _delta = d.pop("delta", UNSET)
        delta: ChatCompletionChunkDelta | Unset
        if isinstance(_delta, Unset):
            delta = UNSET
        else:
            delta = ChatCompletionChunkDelta.from_dict(_delta)

        finish_reason = d.pop("finish_reason", UNSET)

        chat_completion_chunk_choice = cls(
            index=index,
            delta=delta,
            finish_reason=finish_reason,
        )

        chat_completion_chunk_choice.additional_properties = d
        return chat_completion_chunk_choice

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
