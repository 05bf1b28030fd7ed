from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="Conversation")


@_attrs_define
class Conversation:
    """A conversation: settings shared by its messages, and their thread.

    Attributes:
        name (str | Unset): Resource name, `conversations/{conversation}`.
        id (str | Unset): The conversation's id: the last segment of `name`.
        title (str | Unset): A title for lists; may be empty. Any Unicode text but U+0000 (NUL), which
             is refused with INVALID_ARGUMENT (3). Example: Trip to Lisbon.
        model (str | Unset): Id of the model that answers in this conversation (see ListModels);
             the server's default model when empty at creation. Example: echo.
        system_prompt (str | Unset): Instructions given to the model before every turn; may be empty. Any
             Unicode text but U+0000 (NUL), which is refused with INVALID_ARGUMENT (3). Example: You are a concise travel
            assistant..
        create_time (datetime.datetime | Unset): When the conversation was created.
        update_time (datetime.datetime | Unset): When the conversation or its thread last changed.
        message_count (int | Unset): How many messages the conversation holds.
        etag (str | Unset): Opaque version tag; changes on every update. Send it back on update or
             delete to act only if nobody changed the conversation meanwhile.
    """

    name: str | Unset = UNSET
    id: str | Unset = UNSET
    title: str | Unset = UNSET
    model: str | Unset = UNSET
    system_prompt: str | Unset = UNSET
    create_time: datetime.datetime | Unset = UNSET
    update_time: datetime.datetime | Unset = UNSET
    message_count: int | Unset = UNSET
    etag: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        id = self.id

        title = self.title

        model = self.model

        system_prompt = self.system_prompt

        create_time: str | Unset = UNSET
        if not isinstance(self.create_time, Unset):
            create_time = self.create_time.isoformat()

        update_time: str | Unset = UNSET
        if not isinstance(self.update_time, Unset):
            update_time = self.update_time.isoformat()

        message_count = self.message_count

        etag = self.etag

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if id is not UNSET:
            field_dict["id"] = id
        if title is not UNSET:
            field_dict["title"] = title
        if model is not UNSET:
            field_dict["model"] = model
        if system_prompt is not UNSET:
            field_dict["systemPrompt"] = system_prompt
        if create_time is not UNSET:
            field_dict["createTime"] = create_time
        if update_time is not UNSET:
            field_dict["updateTime"] = update_time
        if message_count is not UNSET:
            field_dict["messageCount"] = message_count
        if etag is not UNSET:
            field_dict["etag"] = etag

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name", UNSET)

        id = d.pop("id", UNSET)

        title = d.pop("title", UNSET)

        model = d.pop("model", UNSET)

        system_prompt = d.pop("systemPrompt", UNSET)

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

        message_count = d.pop("messageCount", UNSET)

        etag = d.pop("etag", UNSET)

        conversation = cls(
            name=name,
            id=id,
            title=title,
            model=model,
            system_prompt=system_prompt,
            create_time=create_time,
            update_time=update_time,
            message_count=message_count,
            etag=etag,
        )

        return conversation
