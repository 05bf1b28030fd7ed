from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.message import Message
    from ..models.message_delta import MessageDelta
    from ..models.status import Status


T = TypeVar("T", bound="StreamMessageResponse")


@_attrs_define
class StreamMessageResponse:
    """One Server-Sent Event of MessageService.StreamMessage. The SSE event name
    is the name of the field that is set.

       Attributes:
           user_message (Message | Unset): One turn of a conversation.
           delta (MessageDelta | Unset): A piece of an answer being generated.
           assistant_message (Message | Unset): One turn of a conversation.
           error (Status | Unset): The `Status` type defines a logical error model that is suitable for different
               programming environments, including REST APIs and RPC APIs. It is used by [gRPC](https://github.com/grpc). Each
               `Status` message contains three pieces of data: error code, error message, and error details. You can find out
               more about this error model and how to work with it in the [API Design
               Guide](https://cloud.google.com/apis/design/errors).
    """

    user_message: Message | Unset = UNSET
    delta: MessageDelta | Unset = UNSET
    assistant_message: Message | Unset = UNSET
    error: Status | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        user_message: dict[str, Any] | Unset = UNSET
        if not isinstance(self.user_message, Unset):
            user_message = self.user_message.to_dict()

        delta: dict[str, Any] | Unset = UNSET
        if not isinstance(self.delta, Unset):
            delta = self.delta.to_dict()

        assistant_message: dict[str, Any] | Unset = UNSET
        if not isinstance(self.assistant_message, Unset):
            assistant_message = self.assistant_message.to_dict()

        error: dict[str, Any] | Unset = UNSET
        if not isinstance(self.error, Unset):
            error = self.error.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if user_message is not UNSET:
            field_dict["userMessage"] = user_message
        if delta is not UNSET:
            field_dict["delta"] = delta
        if assistant_message is not UNSET:
            field_dict["assistantMessage"] = assistant_message
        if error is not UNSET:
            field_dict["error"] = error

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.message import Message  # noqa: PLC0415
        from ..models.message_delta import MessageDelta  # noqa: PLC0415
        from ..models.status import Status  # noqa: PLC0415

        d = dict(src_dict)
        _user_message = d.pop("userMessage", UNSET)
        user_message: Message | Unset
        if isinstance(_user_message, Unset):
            user_message = UNSET
        else:
            user_message = Message.from_dict(_user_message)

        _delta = d.pop("delta", UNSET)
        delta: MessageDelta | Unset
        if isinstance(_delta, Unset):
            delta = UNSET
        else:
            delta = MessageDelta.from_dict(_delta)

        _assistant_message = d.pop("assistantMessage", UNSET)
        assistant_message: Message | Unset
        if isinstance(_assistant_message, Unset):
            assistant_message = UNSET
        else:
            assistant_message = Message.from_dict(_assistant_message)

        _error = d.pop("error", UNSET)
        error: Status | Unset
        if isinstance(_error, Unset):
            error = UNSET
        else:
            error = Status.from_dict(_error)

        stream_message_response = cls(
            user_message=user_message,
            delta=delta,
            assistant_message=assistant_message,
            error=error,
        )

        stream_message_response.additional_properties = d
        return stream_message_response

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
