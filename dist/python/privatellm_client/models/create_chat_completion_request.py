from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.chat_completion_message import ChatCompletionMessage
    from ..models.chat_named_tool_choice import ChatNamedToolChoice
    from ..models.chat_response_format import ChatResponseFormat
    from ..models.chat_tool import ChatTool
    from ..models.stream_options import StreamOptions


T = TypeVar("T", bound="CreateChatCompletionRequest")


@_attrs_define
class CreateChatCompletionRequest:
    """Request body of OpenAIService.CreateChatCompletion.

    Parameters OpenAI defines that would change the answer and that this server
    cannot honour answer 3 naming the parameter: `n` above 1, `logprobs: true`,
    `top_logprobs`, `audio`, `modalities` other than `["text"]`, `prediction`,
    `logit_bias`, `web_search_options`, and, except over OpenAI-compatible
    upstreams (which get them), non-zero `frequency_penalty` /
    `presence_penalty`, `reasoning_effort` and `verbosity`. Ones that do not change the answer are accepted:
    `user`, `metadata`, `store`, `service_tier`, `seed`, `safety_identifier`,
    `prompt_cache_key`; other unknown fields too.

       Attributes:
           model (str): Id of the model to use (see ListOpenAIModels). Example: echo.
           messages (list[ChatCompletionMessage]): The conversation so far, oldest first; system and developer messages are
                joined into the system prompt.
           stream (bool | Unset): Stream the answer as Server-Sent Events.
           stream_options (StreamOptions | Unset): Options for a streamed answer.
           max_tokens (int | Unset): Most tokens the answer may have (legacy name of max_completion_tokens).
           max_completion_tokens (int | Unset): Most tokens the answer may have.
           temperature (float | Unset): Sampling temperature, 0-2. Example: 0.7.
           top_p (float | Unset): Nucleus sampling probability mass, 0-1.
           stop (Any | Unset): Represents a dynamically typed value which can be either null, a number, a string, a
               boolean, a recursive struct value, or a list of values.
           n (int | Unset): Number of choices; only 1 is supported.
           user (str | Unset): An id for the end user; accepted and ignored. Example: alice.
           tools (list[ChatTool] | Unset): Tools the model may call; answers that call them end with
                `finish_reason: "tool_calls"`. The model must support tools (see its `capabilities`).
           tool_choice (ChatNamedToolChoice | str | Unset): Which tool the model must call: `none`, `auto`, `required`, or
               a named function.
           parallel_tool_calls (bool | Unset): Whether the model may call several tools in one answer (default true).
           response_format (ChatResponseFormat | Unset): The shape of the answer: `text`, `json_object` (some JSON object),
               or
                `json_schema` (JSON matching `json_schema.schema`).
    """

    model: str
    messages: list[ChatCompletionMessage]
    stream: bool | Unset = UNSET
    stream_options: StreamOptions | Unset = UNSET
    max_tokens: int | Unset = UNSET
    max_completion_tokens: int | Unset = UNSET
    temperature: float | Unset = UNSET
    top_p: float | Unset = UNSET
    stop: Any | Unset = UNSET
    n: int | Unset = UNSET
    user: str | Unset = UNSET
    tools: list[ChatTool] | Unset = UNSET
    tool_choice: ChatNamedToolChoice | str | Unset = UNSET
    parallel_tool_calls: bool | Unset = UNSET
    response_format: ChatResponseFormat | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.chat_named_tool_choice import ChatNamedToolChoice  # noqa: PLC0415

        model = self.model

        messages = []
        for messages_item_data in self.messages:
            messages_item = messages_item_data.to_dict()
            messages.append(messages_item)

        stream = self.stream

        stream_options: dict[str, Any] | Unset = UNSET
        if not isinstance(self.stream_options, Unset):
            stream_options = self.stream_options.to_dict()

        max_tokens = self.max_tokens

        max_completion_tokens = self.max_completion_tokens

        temperature = self.temperature

        top_p = self.top_p

        stop = self.stop

        n = self.n

        user = self.user

        tools: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.tools, Unset):
            tools = []
            for tools_item_data in self.tools:
                tools_item = tools_item_data.to_dict()
                tools.append(tools_item)

        tool_choice: dict[str, Any] | str | Unset
        if isinstance(self.tool_choice, Unset):
            tool_choice = UNSET
        elif isinstance(self.tool_choice, ChatNamedToolChoice):
            tool_choice = self.tool_choice.to_dict()
        else:
            tool_choice = self.tool_choice

        parallel_tool_calls = self.parallel_tool_calls

        response_format: dict[str, Any] | Unset = UNSET
        if not isinstance(self.response_format, Unset):
            response_format = self.response_format.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "model": model,
                "messages": messages,
            }
        )
        if stream is not UNSET:
            field_dict["stream"] = stream
        if stream_options is not UNSET:
            field_dict["stream_options"] = stream_options
        if max_tokens is not UNSET:
            field_dict["max_tokens"] = max_tokens
        if max_completion_tokens is not UNSET:
            field_dict["max_completion_tokens"] = max_completion_tokens
        if temperature is not UNSET:
            field_dict["temperature"] = temperature
        if top_p is not UNSET:
            field_dict["top_p"] = top_p
        if stop is not UNSET:
            field_dict["stop"] = stop
        if n is not UNSET:
            field_dict["n"] = n
        if user is not UNSET:
            field_dict["user"] = user
        if tools is not UNSET:
            field_dict["tools"] = tools
        if tool_choice is not UNSET:
            field_dict["tool_choice"] = tool_choice
        if parallel_tool_calls is not UNSET:
            field_dict["parallel_tool_calls"] = parallel_tool_calls
        if response_format is not UNSET:
            field_dict["response_format"] = response_format

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.chat_completion_message import ChatCompletionMessage  # noqa: PLC0415
        from ..models.chat_named_tool_choice import ChatNamedToolChoice  # noqa: PLC0415
        from ..models.chat_response_format import ChatResponseFormat  # noqa: PLC0415
        from ..models.chat_tool import ChatTool  # noqa: PLC0415
        from ..models.stream_options import StreamOptions  # noqa: PLC0415

        d = dict(src_dict)
        model = d.pop("model")

        messages = []
        _messages = d.pop("messages")
        for messages_item_data in _messages:
            messages_item = ChatCompletionMessage.from_dict(messages_item_data)

            messages.append(messages_item)

        stream = d.pop("stream", UNSET)

        _stream_options = d.pop("stream_options", UNSET)
        stream_options: StreamOptions | Unset
        if isinstance(_stream_options, Unset):
            stream_options = UNSET
        else:
            stream_options = StreamOptions.from_dict(_stream_options)

        max_tokens = d.pop("max_tokens", UNSET)

        max_completion_tokens = d.pop("max_completion_tokens", UNSET)

        temperature = d.pop("temperature", UNSET)

        top_p = d.pop("top_p", UNSET)

        stop = d.pop("stop", UNSET)

        n = d.pop("n", UNSET)

        user = d.pop("user", UNSET)

        _tools = d.pop("tools", UNSET)
        tools: list[ChatTool] | Unset = UNSET
        if _tools is not UNSET:
            tools = []
            for tools_item_data in _tools:
                tools_item = ChatTool.from_dict(tools_item_data)

                tools.append(tools_item)

        def _parse_tool_choice(data: object) -> ChatNamedToolChoice | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_chat_tool_choice_type_1 = ChatNamedToolChoice.from_dict(data)

                return componentsschemas_chat_tool_choice_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ChatNamedToolChoice | str | Unset, data)

        tool_choice = _parse_tool_choice(d.pop("tool_choice", UNSET))

        parallel_tool_calls = d.pop("parallel_tool_calls", UNSET)

        _response_format = d.pop("response_format", UNSET)
        response_format: ChatResponseFormat | Unset
        if isinstance(_response_format, Unset):
            response_format = UNSET
        else:
            response_format = ChatResponseFormat.from_dict(_response_format)

        create_chat_completion_request = cls(
            model=model,
            messages=messages,
            stream=stream,
            stream_options=stream_options,
            max_tokens=max_tokens,
            max_completion_tokens=max_completion_tokens,
            temperature=temperature,
            top_p=top_p,
            stop=stop,
            n=n,
            user=user,
            tools=tools,
            tool_choice=tool_choice,
            parallel_tool_calls=parallel_tool_calls,
            response_format=response_format,
        )

        create_chat_completion_request.additional_properties = d
        return create_chat_completion_request

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
