from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.message import Message


T = TypeVar("T", bound="SendMessageResponse")


@_attrs_define
class SendMessageResponse:
    """Both messages of a completed turn.

    Attributes:
        user_message (Message | Unset): One turn of a conversation.
        assistant_message (Message | Unset): One turn of a conversation.
    """

    user_message: Message | Unset = UNSET
    assistant_message: Message | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        user_message: dict[str, Any] | Unset = UNSET
        if not isinstance(self.user_message, Unset):
            user_message = self.user_message.to_dict()

        assistant_message: dict[str, Any] | Unset = UNSET
        if not isinstance(self.assistant_message, Unset):
            assistant_message = self.assistant_message.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if user_message is not UNSET:
            field_dict["userMessage"] = user_message
        if assistant_message is not UNSET:
            field_dict["assistantMessage"] = assistant_message

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.message import Message  # noqa: PLC0415

        d = dict(src_dict)
        _user_message = d.pop("userMessage", UNSET)
        user_message: Message | Unset
        if isinstance(_user_message, Unset):
            user_message = UNSET
        else:
            user_message = Message.from_dict(_user_message)

        _assistant_message = d.pop("assistantMessage", UNSET)
        assistant_message: Message | Unset
        if isinstance(_assistant_message, Unset):
            assistant_message = UNSET
        else:
            assistant_message = Message.from_dict(_assistant_message)

        send_message_response = cls(
            user_message=user_message,
            assistant_message=assistant_message,
        )

        send_message_response.additional_properties = d
        return send_message_response

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
