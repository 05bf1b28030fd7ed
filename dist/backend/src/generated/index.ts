/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export { BackendClient } from './BackendClient';

export { ApiError } from './core/ApiError';
export { BaseHttpRequest } from './core/BaseHttpRequest';
export { CancelablePromise, CancelError } from './core/CancelablePromise';
export { OpenAPI } from './core/OpenAPI';
export type { OpenAPIConfig } from './core/OpenAPI';

export type { ApiKey } from './models/ApiKey';
export type { ChatCompletion } from './models/ChatCompletion';
export type { ChatCompletionChoice } from './models/ChatCompletionChoice';
export type { ChatCompletionChunk } from './models/ChatCompletionChunk';
export type { ChatCompletionChunkChoice } from './models/ChatCompletionChunkChoice';
export type { ChatCompletionChunkDelta } from './models/ChatCompletionChunkDelta';
export type { ChatCompletionMessage } from './models/ChatCompletionMessage';
export type { ChatCompletionResponseMessage } from './models/ChatCompletionResponseMessage';
export type { CompletionUsage } from './models/CompletionUsage';
export type { Conversation } from './models/Conversation';
export type { CreateApiKeyResponse } from './models/CreateApiKeyResponse';
export type { CreateChatCompletionRequest } from './models/CreateChatCompletionRequest';
export type { EffectiveLimits } from './models/EffectiveLimits';
export type { GoogleProtobufAny } from './models/GoogleProtobufAny';
export type { GoogleProtobufValue } from './models/GoogleProtobufValue';
export type { HealthCheck } from './models/HealthCheck';
export type { HealthStatus } from './models/HealthStatus';
export type { Limits } from './models/Limits';
export type { LimitStatus } from './models/LimitStatus';
export type { ListApiKeysResponse } from './models/ListApiKeysResponse';
export type { ListConversationsResponse } from './models/ListConversationsResponse';
export type { ListMessagesResponse } from './models/ListMessagesResponse';
export type { ListModelsResponse } from './models/ListModelsResponse';
export type { Message } from './models/Message';
export type { MessageDelta } from './models/MessageDelta';
export type { Model } from './models/Model';
export type { OpenAIModel } from './models/OpenAIModel';
export type { OpenAIModelList } from './models/OpenAIModelList';
export type { QuotaError } from './models/QuotaError';
export type { QuotaErrorDetail } from './models/QuotaErrorDetail';
export type { QuotaViolation } from './models/QuotaViolation';
export type { RevokeApiKeyRequest } from './models/RevokeApiKeyRequest';
export type { SendMessageRequest } from './models/SendMessageRequest';
export type { SendMessageResponse } from './models/SendMessageResponse';
export type { Status } from './models/Status';
export type { StreamMessageResponse } from './models/StreamMessageResponse';
export type { StreamOptions } from './models/StreamOptions';
export type { Usage } from './models/Usage';
export type { UsageReport } from './models/UsageReport';
export type { UsageRow } from './models/UsageRow';
export type { UserLimits } from './models/UserLimits';

export { ApiKeyService } from './services/ApiKeyService';
export { ConversationService } from './services/ConversationService';
export { HealthService } from './services/HealthService';
export { LimitsService } from './services/LimitsService';
export { MessageService } from './services/MessageService';
export { ModelService } from './services/ModelService';
export { OpenAiService } from './services/OpenAiService';
export { UsageService } from './services/UsageService';
