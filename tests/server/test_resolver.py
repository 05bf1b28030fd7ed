"""The resolver binds operationIds to handler functions; missing ones answer 12, not a crash."""

import pytest

from errors import ApiError, Code
from server.resolver import HandlerResolver, handler_path, snake_case


@pytest.mark.parametrize(
    ("name", "snake"),
    [
        ("ConversationService", "conversation_service"),
        ("OpenAIService", "open_ai_service"),
        ("ListApiKeys", "list_api_keys"),
        ("ListOpenAIModels", "list_open_ai_models"),
    ],
)
def test_snake_case_is_acronym_aware(name: str, snake: str) -> None:
    assert snake_case(name) == snake


def test_operation_id_maps_to_module_and_function() -> None:
    assert handler_path("ConversationService_CreateConversation") == (
        "handlers.conversation_service",
        "create_conversation",
    )


def test_existing_handler_is_bound() -> None:
    from handlers import conversation_service

    resolver = HandlerResolver()
    found = resolver.find_handler("ConversationService_GetConversation")
    assert found is conversation_service.get_conversation
    assert resolver.missing == []


async def test_missing_handler_answers_unimplemented() -> None:
    resolver = HandlerResolver()
    function = resolver.find_handler("NoSuchService_DoThing")
    assert resolver.missing == ["NoSuchService_DoThing"]
    with pytest.raises(ApiError) as raised:
        await function()
    assert raised.value.code == Code.UNIMPLEMENTED
