from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="SendMessageRequest")


@_attrs_define
class SendMessageRequest:
    """Request for MessageService.SendMessage and MessageService.StreamMessage.

    Attributes:
        content (str): The user's message: any Unicode text but U+0000 (NUL), which is refused
             with INVALID_ARGUMENT (3) rather than stored altered. Example: What should I see in Lisbon in one day?.
        parent (str | Unset): The conversation, `conversations/{conversation}`. Over HTTP the URL path
             carries it; a value in the body is ignored (the path wins, as in gRPC
             transcoding), so clients leave it out.
        model (str | Unset): Model for this turn only, instead of the conversation's. Example: echo.
        max_tokens (int | Unset): Most tokens the answer may have; the model's maximum when unset. Example: 256.
        temperature (float | Unset): Sampling temperature, 0-2; the model's default when unset. Example: 0.7.
        top_p (float | Unset): Nucleus sampling probability mass, 0-1; the model's default when unset. Example: 0.9.
        stop (list[str] | Unset): Up to 4 sequences that end the answer when the model produces them.
    """

    content: str
    parent: str | Unset = UNSET
    model: str | Unset = UNSET
    max_tokens: int | Unset = UNSET
    temperature: float | Unset = UNSET
    top_p: float | Unset = UNSET
    stop: list[str] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        content = self.content

        parent = self.parent

        model = self.model

        max_tokens = self.max_tokens

        temperature = self.temperature

        top_p = self.top_p

        stop: list[str] | Unset = UNSET
        if not isinstance(self.stop, Unset):
            stop = self.stop

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "content": content,
            }
        )
        if parent is not UNSET:
            field_dict["parent"] = parent
        if model is not UNSET:
            field_dict["model"] = model
        if max_tokens is not UNSET:
            field_dict["maxTokens"] = max_tokens
        if temperature is not UNSET:
            field_dict["temperature"] = temperature
        if top_p is not UNSET:
            field_dict["topP"] = top_p
        if stop is not UNSET:
            field_dict["stop"] = stop

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        content = d.pop("content")

        parent = d.pop("parent", UNSET)

        model = d.pop("model", UNSET)

        max_tokens = d.pop("maxTokens", UNSET)

        temperature = d.pop("temperature", UNSET)

        top_p = d.pop("topP", UNSET)

        stop = cast(list[str], d.pop("stop", UNSET))

        send_message_request = cls(
            content=content,
            parent=parent,
            model=model,
            max_tokens=max_tokens,
            temperature=temperature,
            top_p=top_p,
            stop=stop,
        )

        return send_message_request
