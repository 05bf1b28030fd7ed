"""Contains all the data models used in inputs/outputs"""

from .api_key import ApiKey
from .api_key_role import ApiKeyRole
from .api_key_state import ApiKeyState
from .chat_completion import ChatCompletion
from .chat_completion_choice import ChatCompletionChoice
from .chat_completion_chunk import ChatCompletionChunk
from .chat_completion_chunk_choice import ChatCompletionChunkChoice
from .chat_completion_chunk_delta import ChatCompletionChunkDelta
from .chat_completion_message import ChatCompletionMessage
from .chat_completion_response_message import ChatCompletionResponseMessage
from .chat_content_part import ChatContentPart
from .chat_function import ChatFunction
from .chat_function_name import ChatFunctionName
from .chat_function_parameters import ChatFunctionParameters
from .chat_image_url import ChatImageUrl
from .chat_json_schema import ChatJsonSchema
from .chat_json_schema_schema import ChatJsonSchemaSchema
from .chat_named_tool_choice import ChatNamedToolChoice
from .chat_response_format import ChatResponseFormat
from .chat_tool import ChatTool
from .chat_tool_call import ChatToolCall
from .chat_tool_call_delta import ChatToolCallDelta
from .chat_tool_call_delta_function import ChatToolCallDeltaFunction
from .chat_tool_call_function import ChatToolCallFunction
from .completion_usage import CompletionUsage
from .conversation import Conversation
from .create_api_key_response import CreateApiKeyResponse
from .create_chat_completion_request import CreateChatCompletionRequest
from .create_embedding_request import CreateEmbeddingRequest
from .create_embedding_response import CreateEmbeddingResponse
from .effective_limits import EffectiveLimits
from .embedding import Embedding
from .embedding_usage import EmbeddingUsage
from .google_protobuf_any import GoogleProtobufAny
from .health_check import HealthCheck
from .health_status import HealthStatus
from .limit_status import LimitStatus
from .limits import Limits
from .list_api_keys_response import ListApiKeysResponse
from .list_conversations_response import ListConversationsResponse
from .list_messages_response import ListMessagesResponse
from .list_models_response import ListModelsResponse
from .message import Message
from .message_delta import MessageDelta
from .message_finish_reason import MessageFinishReason
from .message_role import MessageRole
from .message_status import MessageStatus
from .model import Model
from .model_capabilities_item import ModelCapabilitiesItem
from .model_provider import ModelProvider
from .open_ai_model import OpenAIModel
from .open_ai_model_list import OpenAIModelList
from .quota_error import QuotaError
from .quota_error_detail import QuotaErrorDetail
from .quota_violation import QuotaViolation
from .revoke_api_key_request import RevokeApiKeyRequest
from .send_message_request import SendMessageRequest
from .send_message_response import SendMessageResponse
from .status import Status
from .stream_message_response import StreamMessageResponse
from .stream_options import StreamOptions
from .usage import Usage
from .usage_report import UsageReport
from .usage_row import UsageRow
from .user_limits import UserLimits

__all__ = (
    "ApiKey",
    "ApiKeyRole",
    "ApiKeyState",
    "ChatCompletion",
    "ChatCompletionChoice",
    "ChatCompletionChunk",
    "ChatCompletionChunkChoice",
    "ChatCompletionChunkDelta",
    "ChatCompletionMessage",
    "ChatCompletionResponseMessage",
    "ChatContentPart",
    "ChatFunction",
    "ChatFunctionName",
    "ChatFunctionParameters",
    "ChatImageUrl",
    "ChatJsonSchema",
    "ChatJsonSchemaSchema",
    "ChatNamedToolChoice",
    "ChatResponseFormat",
    "ChatTool",
    "ChatToolCall",
    "ChatToolCallDelta",
    "ChatToolCallDeltaFunction",
    "ChatToolCallFunction",
    "CompletionUsage",
    "Conversation",
    "CreateApiKeyResponse",
    "CreateChatCompletionRequest",
    "CreateEmbeddingRequest",
    "CreateEmbeddingResponse",
    "EffectiveLimits",
    "Embedding",
    "EmbeddingUsage",
    "GoogleProtobufAny",
    "HealthCheck",
    "HealthStatus",
    "Limits",
    "LimitStatus",
    "ListApiKeysResponse",
    "ListConversationsResponse",
    "ListMessagesResponse",
    "ListModelsResponse",
    "Message",
    "MessageDelta",
    "MessageFinishReason",
    "MessageRole",
    "MessageStatus",
    "Model",
    "ModelCapabilitiesItem",
    "ModelProvider",
    "OpenAIModel",
    "OpenAIModelList",
    "QuotaError",
    "QuotaErrorDetail",
    "QuotaViolation",
    "RevokeApiKeyRequest",
    "SendMessageRequest",
    "SendMessageResponse",
    "Status",
    "StreamMessageResponse",
    "StreamOptions",
    "Usage",
    "UsageReport",
    "UsageRow",
    "UserLimits",
)
