/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { ChatCompletionMessage } from './ChatCompletionMessage';
import type { ChatResponseFormat } from './ChatResponseFormat';
import type { ChatTool } from './ChatTool';
import type { ChatToolChoice } from './ChatToolChoice';
import type { GoogleProtobufValue } from './GoogleProtobufValue';
import type { StreamOptions } from './StreamOptions';
/**
 * Request body of OpenAIService.CreateChatCompletion.
 *
 * Parameters OpenAI defines that would change the answer and that this server
 * cannot honour answer 3 naming the parameter: `n` above 1, `logprobs: true`,
 * `top_logprobs`, `audio`, `modalities` other than `["text"]`, `prediction`,
 * `logit_bias`, `web_search_options`, and, except over OpenAI-compatible
 * upstreams (which get them), non-zero `frequency_penalty` /
 * `presence_penalty`, `reasoning_effort` and `verbosity`. Ones that do not change the answer are accepted:
 * `user`, `metadata`, `store`, `service_tier`, `seed`, `safety_identifier`,
 * `prompt_cache_key`; other unknown fields too.
 */
export type CreateChatCompletionRequest = {
  /**
   * Id of the model to use (see ListOpenAIModels).
   */
  model: string;
  /**
   * The conversation so far, oldest first; system and developer messages are
   * joined into the system prompt.
   */
  messages: Array<ChatCompletionMessage>;
  /**
   * Stream the answer as Server-Sent Events.
   */
  stream?: boolean;
  /**
   * Options for a streamed answer.
   */
  stream_options?: StreamOptions;
  /**
   * Most tokens the answer may have (legacy name of max_completion_tokens).
   */
  max_tokens?: number;
  /**
   * Most tokens the answer may have.
   */
  max_completion_tokens?: number;
  /**
   * Sampling temperature, 0-2.
   */
  temperature?: number;
  /**
   * Nucleus sampling probability mass, 0-1.
   */
  top_p?: number;
  /**
   * A stop sequence, or an array of up to 4 of them.
   */
  stop?: GoogleProtobufValue;
  /**
   * Number of choices; only 1 is supported.
   */
  'n'?: number;
  /**
   * An id for the end user; accepted and ignored.
   */
  user?: string;
  /**
   * Tools the model may call; answers that call them end with
   * `finish_reason: "tool_calls"`. The model must support tools (see its `capabilities`).
   */
  tools?: Array<ChatTool>;
  /**
   * `none`, `auto` (the default with tools), `required`, or a named function.
   */
  tool_choice?: ChatToolChoice;
  /**
   * Whether the model may call several tools in one answer (default true).
   */
  parallel_tool_calls?: boolean;
  /**
   * The shape of the answer: `text` (default), `json_object` or `json_schema`.
   */
  response_format?: ChatResponseFormat;
};

