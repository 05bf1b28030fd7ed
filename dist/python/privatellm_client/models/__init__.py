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
from .completion_usage import CompletionUsage
from .conversation import Conversation
from .create_api_key_response import CreateApiKeyResponse
from .create_chat_completion_request import CreateChatCompletionRequest
from .effective_limits import EffectiveLimits
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
    "CompletionUsage",
    "Conversation",
    "CreateApiKeyResponse",
    "CreateChatCompletionRequest",
    "EffectiveLimits",
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
