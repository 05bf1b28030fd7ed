from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.chat_tool_call_delta import ChatToolCallDelta


T = TypeVar("T", bound="ChatCompletionChunkDelta")


@_attrs_define
class ChatCompletionChunkDelta:
    """The new text of a streamed answer.

    Attributes:
        role (str | Unset): `assistant` in the first chunk, absent after.
        content (str | Unset): Text to append.
        tool_calls (list[ChatToolCallDelta] | Unset): Pieces of tool calls: the first of each call has its `index`,
            `id`,
             `type` and function `name`, the next ones more of its `arguments`.
    """

    role: str | Unset = UNSET
    content: str | Unset = UNSET
    tool_calls: list[ChatToolCallDelta] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        role = self.role

        content = self.content

        tool_calls: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.tool_calls, Unset):
            tool_calls = []
            for tool_calls_item_data in self.tool_calls:
                tool_calls_item = tool_calls_item_data.to_dict()
                tool_calls.append(tool_calls_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if role is not UNSET:
            field_dict["role"] = role
        if content is not UNSET:
            field_dict["content"] = content
        if tool_calls is not UNSET:
            field_dict["tool_calls"] = tool_calls

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.chat_tool_call_delta import ChatToolCallDelta  # noqa: PLC0415

        d = dict(src_dict)
        role = d.pop("role", UNSET)

        content = d.pop("content", UNSET)

        _tool_calls = d.pop("tool_calls", UNSET)
        tool_calls: list[ChatToolCallDelta] | Unset = UNSET
        if _tool_calls is not UNSET:
            tool_calls = []
            for tool_calls_item_data in _tool_calls:
                tool_calls_item = ChatToolCallDelta.from_dict(tool_calls_item_data)

                tool_calls.append(tool_calls_item)

        chat_completion_chunk_delta = cls(
            role=role,
            content=content,
            tool_calls=tool_calls,
        )

        chat_completion_chunk_delta.additional_properties = d
        return chat_completion_chunk_delta

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
