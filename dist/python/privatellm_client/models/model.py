from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.model_capabilities_item import ModelCapabilitiesItem
from ..models.model_provider import ModelProvider
from ..types import UNSET, Unset

T = TypeVar("T", bound="Model")


@_attrs_define
class Model:
    """A model of the catalog: our id for it and the upstream model it maps to.

    Attributes:
        name (str | Unset): Resource name, `models/{model}`.
        id (str | Unset): The model id clients pass in `model` fields, e.g. `echo` or `claude-sonnet`.
        display_name (str | Unset): Human-readable name.
        description (str | Unset): What the model is good for; test models say so here.
        provider (ModelProvider | Unset): The kind of back end that serves the model.
        provider_name (str | Unset): The name of the configured provider instance that serves the model, e.g. `bedrock`
            or `ollama`.
        upstream_model_id (str | Unset): The model id the upstream knows, e.g. a Bedrock model id.
        context_window (int | Unset): Maximum tokens of prompt plus answer the model accepts.
        max_output_tokens (int | Unset): Maximum tokens the model writes in one answer.
        available (bool | Unset): Whether the model can be called now: enabled and its provider configured (credentials
            present).
        unavailable_reason (str | Unset): Why the model is not available; empty when it is.
        test_model (bool | Unset): Whether this is a test model (such as `echo`) rather than a real LLM.
        capabilities (list[ModelCapabilitiesItem] | Unset): What the model can do; asking it for anything else answers
            3.
    """

    name: str | Unset = UNSET
    id: str | Unset = UNSET
    display_name: str | Unset = UNSET
    description: str | Unset = UNSET
    provider: ModelProvider | Unset = UNSET
    provider_name: str | Unset = UNSET
    upstream_model_id: str | Unset = UNSET
    context_window: int | Unset = UNSET
    max_output_tokens: int | Unset = UNSET
    available: bool | Unset = UNSET
    unavailable_reason: str | Unset = UNSET
    test_model: bool | Unset = UNSET
    capabilities: list[ModelCapabilitiesItem] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        id = self.id

        display_name = self.display_name

        description = self.description

        provider: str | Unset = UNSET
        if not isinstance(self.provider, Unset):
            provider = self.provider.value

        provider_name = self.provider_name

        upstream_model_id = self.upstream_model_id

        context_window = self.context_window

        max_output_tokens = self.max_output_tokens

        available = self.available

        unavailable_reason = self.unavailable_reason

        test_model = self.test_model

        capabilities: list[str] | Unset = UNSET
        if not isinstance(self.capabilities, Unset):
            capabilities = []
            for capabilities_item_data in self.capabilities:
                capabilities_item = capabilities_item_data.value
                capabilities.append(capabilities_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if id is not UNSET:
            field_dict["id"] = id
        if display_name is not UNSET:
            field_dict["displayName"] = display_name
        if description is not UNSET:
            field_dict["description"] = description
        if provider is not UNSET:
            field_dict["provider"] = provider
        if provider_name is not UNSET:
            field_dict["providerName"] = provider_name
        if upstream_model_id is not UNSET:
            field_dict["upstreamModelId"] = upstream_model_id
        if context_window is not UNSET:
            field_dict["contextWindow"] = context_window
        if max_output_tokens is not UNSET:
            field_dict["maxOutputTokens"] = max_output_tokens
        if available is not UNSET:
            field_dict["available"] = available
        if unavailable_reason is not UNSET:
            field_dict["unavailableReason"] = unavailable_reason
        if test_model is not UNSET:
            field_dict["testModel"] = test_model
        if capabilities is not UNSET:
            field_dict["capabilities"] = capabilities

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name", UNSET)

        id = d.pop("id", UNSET)

        display_name = d.pop("displayName", UNSET)

        description = d.pop("description", UNSET)

        _provider = d.pop("provider", UNSET)
        provider: ModelProvider | Unset
        if isinstance(_provider, Unset):
            provider = UNSET
        else:
            provider = ModelProvider(_provider)

        provider_name = d.pop("providerName", UNSET)

        upstream_model_id = d.pop("upstreamModelId", UNSET)

        context_window = d.pop("contextWindow", UNSET)

        max_output_tokens = d.pop("maxOutputTokens", UNSET)

        available = d.pop("available", UNSET)

        unavailable_reason = d.pop("unavailableReason", UNSET)

        test_model = d.pop("testModel", UNSET)

        _capabilities = d.pop("capabilities", UNSET)
        capabilities: list[ModelCapabilitiesItem] | Unset = UNSET
        if _capabilities is not UNSET:
            capabilities = []
            for capabilities_item_data in _capabilities:
                capabilities_item = ModelCapabilitiesItem(capabilities_item_data)

                capabilities.append(capabilities_item)

        model = cls(
            name=name,
            id=id,
            display_name=display_name,
            description=description,
            provider=provider,
            provider_name=provider_name,
            upstream_model_id=upstream_model_id,
            context_window=context_window,
            max_output_tokens=max_output_tokens,
            available=available,
            unavailable_reason=unavailable_reason,
            test_model=test_model,
            capabilities=capabilities,
        )

        model.additional_properties = d
        return model

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
