from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.chat_function_parameters import ChatFunctionParameters


T = TypeVar("T", bound="ChatFunction")


@_attrs_define
class ChatFunction:
    """A function the model may call.

    Attributes:
        name (str): Its name: letters, digits, `_` and `-`, up to 64. Example: get_weather.
        description (str | Unset): What it does, for the model.
        parameters (ChatFunctionParameters | Unset): Its arguments, as a JSON Schema of an object; none: no arguments.
        strict (bool | Unset): Whether the arguments must follow the schema exactly; passed to OpenAI-compatible
            upstreams.
    """

    name: str
    description: str | Unset = UNSET
    parameters: ChatFunctionParameters | Unset = UNSET
    strict: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        description = self.description

        parameters: dict[str, Any] | Unset = UNSET
        if not isinstance(self.parameters, Unset):
            parameters = self.parameters.to_dict()

        strict = self.strict

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if parameters is not UNSET:
            field_dict["parameters"] = parameters
        if strict is not UNSET:
            field_dict["strict"] = strict

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.chat_function_parameters import ChatFunctionParameters  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name")

        description = d.pop("description", UNSET)

        _parameters = d.pop("parameters", UNSET)
        parameters: ChatFunctionParameters | Unset
        if isinstance(_parameters, Unset):
            parameters = UNSET
        else:
            parameters = ChatFunctionParameters.from_dict(_parameters)

        strict = d.pop("strict", UNSET)

        chat_function = cls(
            name=name,
            description=description,
            parameters=parameters,
            strict=strict,
        )

        chat_function.additional_properties = d
        return chat_function

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
