from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.message_finish_reason import MessageFinishReason
from ..models.message_role import MessageRole
from ..models.message_status import MessageStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.status import Status
    from ..models.usage import Usage


T = TypeVar("T", bound="Message")


@_attrs_define
class Message:
    """One turn of a conversation.

    Attributes:
        name (str | Unset): Resource name, `conversations/{conversation}/messages/{message}`.
        id (str | Unset): The message's id: the last segment of `name`.
        role (MessageRole | Unset): Who wrote the message.
        content (str | Unset): The text of the message.
        status (MessageStatus | Unset): Where the message is in its life.
        model (str | Unset): Id of the model that wrote (or was asked to write) the answer; empty on user messages.
        usage (Usage | Unset): Tokens counted for one generation.
        finish_reason (MessageFinishReason | Unset): Why the model stopped; unspecified on user messages and unfinished
            answers.
        error (Status | Unset): The `Status` type defines a logical error model that is suitable for different
            programming environments, including REST APIs and RPC APIs. It is used by [gRPC](https://github.com/grpc). Each
            `Status` message contains three pieces of data: error code, error message, and error details. You can find out
            more about this error model and how to work with it in the [API Design
            Guide](https://cloud.google.com/apis/design/errors).
        create_time (datetime.datetime | Unset): When the message was created.
        update_time (datetime.datetime | Unset): When the message last changed.
    """

    name: str | Unset = UNSET
    id: str | Unset = UNSET
    role: MessageRole | Unset = UNSET
    content: str | Unset = UNSET
    status: MessageStatus | Unset = UNSET
    model: str | Unset = UNSET
    usage: Usage | Unset = UNSET
    finish_reason: MessageFinishReason | Unset = UNSET
    error: Status | Unset = UNSET
    create_time: datetime.datetime | Unset = UNSET
    update_time: datetime.datetime | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        id = self.id

        role: str | Unset = UNSET
        if not isinstance(self.role, Unset):
            role = self.role.value

        content = self.content

        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status.value

        model = self.model

        usage: dict[str, Any] | Unset = UNSET
        if not isinstance(self.usage, Unset):
            usage = self.usage.to_dict()

        finish_reason: str | Unset = UNSET
        if not isinstance(self.finish_reason, Unset):
            finish_reason = self.finish_reason.value

        error: dict[str, Any] | Unset = UNSET
        if not isinstance(self.error, Unset):
            error = self.error.to_dict()

        create_time: str | Unset = UNSET
        if not isinstance(self.create_time, Unset):
            create_time = self.create_time.isoformat()

        update_time: str | Unset = UNSET
        if not isinstance(self.update_time, Unset):
            update_time = self.update_time.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if id is not UNSET:
            field_dict["id"] = id
        if role is not UNSET:
            field_dict["role"] = role
        if content is not UNSET:
            field_dict["content"] = content
        if status is not UNSET:
            field_dict["status"] = status
        if model is not UNSET:
            field_dict["model"] = model
        if usage is not UNSET:
            field_dict["usage"] = usage
        if finish_reason is not UNSET:
            field_dict["finishReason"] = finish_reason
        if error is not UNSET:
            field_dict["error"] = error
        if create_time is not UNSET:
            field_dict["createTime"] = create_time
        if update_time is not UNSET:
            field_dict["updateTime"] = update_time

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.status import Status  # noqa: PLC0415
        from ..models.usage import Usage  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name", UNSET)

        id = d.pop("id", UNSET)

        _role = d.pop("role", UNSET)
        role: MessageRole | Unset
        if isinstance(_role, Unset):
            role = UNSET
        else:
            role = MessageRole(_role)

        content = d.pop("content", UNSET)

        _status = d.pop("status", UNSET)
        status: MessageStatus | Unset
        if isinstance(_status, Unset):
            status = UNSET
        else:
            status = MessageStatus(_status)

        model = d.pop("model", UNSET)

        _usage = d.pop("usage", UNSET)
        usage: Usage | Unset
        if isinstance(_usage, Unset):
            usage = UNSET
        else:
            usage = Usage.from_dict(_usage)

        _finish_reason = d.pop("finishReason", UNSET)
        finish_reason: MessageFinishReason | Unset
        if isinstance(_finish_reason, Unset):
            finish_reason = UNSET
        else:
            finish_reason = MessageFinishReason(_finish_reason)

        _error = d.pop("error", UNSET)
        error: Status | Unset
        if isinstance(_error, Unset):
            error = UNSET
        else:
            error = Status.from_dict(_error)

        _create_time = d.pop("createTime", UNSET)
        create_time: datetime.datetime | Unset
        if isinstance(_create_time, Unset):
            create_time = UNSET
        else:
            create_time = datetime.datetime.fromisoformat(_create_time)

        _update_time = d.pop("updateTime", UNSET)
        update_time: datetime.datetime | Unset
        if isinstance(_update_time, Unset):
            update_time = UNSET
        else:
            update_time = datetime.datetime.fromisoformat(_update_time)

        message = cls(
            name=name,
            id=id,
            role=role,
            content=content,
            status=status,
            model=model,
            usage=usage,
            finish_reason=finish_reason,
            error=error,
            create_time=create_time,
            update_time=update_time,
        )

        message.additional_properties = d
        return message

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
