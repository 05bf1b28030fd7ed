/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { ChatCompletionMessage } from './ChatCompletionMessage';
import type { GoogleProtobufValue } from './GoogleProtobufValue';
import type { StreamOptions } from './StreamOptions';
/**
 * Request body of OpenAIService.CreateChatCompletion. Fields OpenAI defines
 * that are not listed here are accepted and ignored.
 */
export type CreateChatCompletionRequest = {
  /**
   * Id of the model to use (see ListOpenAIModels).
   */
  model: string;
  /**
   * The conversation so far, oldest first; system messages are joined into the system prompt.
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
};

