/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { ChatCompletion } from '../models/ChatCompletion';
import type { CreateChatCompletionRequest } from '../models/CreateChatCompletionRequest';
import type { CreateEmbeddingRequest } from '../models/CreateEmbeddingRequest';
import type { CreateEmbeddingResponse } from '../models/CreateEmbeddingResponse';
import type { OpenAIModelList } from '../models/OpenAIModelList';
import type { CancelablePromise } from '../core/CancelablePromise';
import type { BaseHttpRequest } from '../core/BaseHttpRequest';
export class OpenAiService {
  constructor(public readonly httpRequest: BaseHttpRequest) {}
  /**
   * Creates a chat completion. With `stream: true` the answer comes as
   * Server-Sent Events, one `data: <chunk>` line per chunk, ending with
   * `data: [DONE]`; with `stream_options.include_usage` the last chunk
   * before it carries the usage.
   * @returns ChatCompletion OK
   * @throws ApiError
   */
  public createChatCompletion({
    requestBody,
  }: {
    requestBody: CreateChatCompletionRequest,
  }): CancelablePromise<ChatCompletion> {
    return this.httpRequest.request({
      method: 'POST',
      url: '/openai/v1/chat/completions',
      body: requestBody,
      mediaType: 'application/json',
      errors: {
        429: `A limit of the key, its user or the model is reached (code 8, RESOURCE_EXHAUSTED); nothing was stored.`,
      },
    });
  }
  /**
   * Creates embeddings of one text or of several, with a model whose
   * `capabilities` include `embeddings`. Usage is counted like a generation's,
   * and the call is admitted against the same limits first: requests and
   * tokens per minute, token and cost budgets (the input's estimated tokens
   * are reserved, then settled with what the model counted), and the key's
   * model allow-list (7).
   * @returns CreateEmbeddingResponse OK
   * @throws ApiError
   */
  public createEmbedding({
    requestBody,
  }: {
    requestBody: CreateEmbeddingRequest,
  }): CancelablePromise<CreateEmbeddingResponse> {
    return this.httpRequest.request({
      method: 'POST',
      url: '/openai/v1/embeddings',
      body: requestBody,
      mediaType: 'application/json',
      errors: {
        429: `A limit of the key, its user or the model is reached (code 8, RESOURCE_EXHAUSTED); nothing was counted.`,
      },
    });
  }
  /**
   * Lists the available models, in OpenAI's list shape.
   * @returns OpenAIModelList OK
   * @throws ApiError
   */
  public listOpenAiModels(): CancelablePromise<OpenAIModelList> {
    return this.httpRequest.request({
      method: 'GET',
      url: '/openai/v1/models',
    });
  }
}
