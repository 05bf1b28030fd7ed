from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.embedding import Embedding
    from ..models.embedding_usage import EmbeddingUsage


T = TypeVar("T", bound="CreateEmbeddingResponse")


@_attrs_define
class CreateEmbeddingResponse:
    """Embeddings, in OpenAI's list shape.

    Attributes:
        object_ (str | Unset): Always `list`.
        data (list[Embedding] | Unset): One embedding per input text, in order.
        model (str | Unset): The model id that answered.
        usage (EmbeddingUsage | Unset): Token counts of an embeddings request.
    """

    object_: str | Unset = UNSET
    data: list[Embedding] | Unset = UNSET
    model: str | Unset = UNSET
    usage: EmbeddingUsage | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        object_ = self.object_

        data: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.data, Unset):
            data = []
            for data_item_data in self.data:
                data_item = data_item_data.to_dict()
                data.append(data_item)

        model = self.model

        usage: dict[str, Any] | Unset = UNSET
        if not isinstance(self.usage, Unset):
            usage = self.usage.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if object_ is not UNSET:
            field_dict["object"] = object_
        if data is not UNSET:
            field_dict["data"] = data
        if model is not UNSET:
            field_dict["model"] = model
        if usage is not UNSET:
            field_dict["usage"] = usage

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.embedding import Embedding  # noqa: PLC0415
        from ..models.embedding_usage import EmbeddingUsage  # noqa: PLC0415

        d = dict(src_dict)
        object_ = d.pop("object", UNSET)

        _data = d.pop("data", UNSET)
        data: list[Embedding] | Unset = UNSET
        if _data is not UNSET:
            data = []
            for data_item_data in _data:
                data_item = Embedding.from_dict(data_item_data)

                data.append(data_item)

        model = d.pop("model", UNSET)

        _usage = d.pop("usage", UNSET)
        usage: EmbeddingUsage | Unset
        if isinstance(_usage, Unset):
            usage = UNSET
        else:
            usage = EmbeddingUsage.from_dict(_usage)

        create_embedding_response = cls(
            object_=object_,
            data=data,
            model=model,
            usage=usage,
        )

        create_embedding_response.additional_properties = d
        return create_embedding_response

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
