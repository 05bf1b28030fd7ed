from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="CreateEmbeddingRequest")


@_attrs_define
class CreateEmbeddingRequest:
    """Request body of OpenAIService.CreateEmbedding.

    Attributes:
        model (str): Id of an embeddings model (see ListOpenAIModels). Example: echo-embed.
        input_ (list[str] | str): What to embed: one text, or an array of texts (one embedding each, in order).
        encoding_format (str | Unset): `float` (default: arrays of numbers) or `base64` (little-endian float32s,
            base64-encoded).
        dimensions (int | Unset): Length of each vector, for models that can shorten theirs (else 3).
        user (str | Unset): An id for the end user; accepted and ignored.
    """

    model: str
    input_: list[str] | str
    encoding_format: str | Unset = UNSET
    dimensions: int | Unset = UNSET
    user: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        model = self.model

        input_: list[str] | str
        if isinstance(self.input_, list):
            input_ = self.input_

        else:
            input_ = self.input_

        encoding_format = self.encoding_format

        dimensions = self.dimensions

        user = self.user

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "model": model,
                "input": input_,
            }
        )
        if encoding_format is not UNSET:
            field_dict["encoding_format"] = encoding_format
        if dimensions is not UNSET:
            field_dict["dimensions"] = dimensions
        if user is not UNSET:
            field_dict["user"] = user

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        model = d.pop("model")

        def _parse_input_(data: object) -> list[str] | str:
            try:
                if not isinstance(data, list):
                    raise TypeError()
                componentsschemas_embedding_input_type_1 = cast(list[str], data)

                return componentsschemas_embedding_input_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | str, data)

        input_ = _parse_input_(d.pop("input"))

        encoding_format = d.pop("encoding_format", UNSET)

        dimensions = d.pop("dimensions", UNSET)

        user = d.pop("user", UNSET)

        create_embedding_request = cls(
            model=model,
            input_=input_,
            encoding_format=encoding_format,
            dimensions=dimensions,
            user=user,
        )

        create_embedding_request.additional_properties = d
        return create_embedding_request

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
