/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { ChatCompletionChunkChoice } from './ChatCompletionChunkChoice';
import type { CompletionUsage } from './CompletionUsage';
/**
 * One `data:` event of a streamed chat completion.
 */
export type ChatCompletionChunk = {
  /**
   * Id of the completion, the same in every chunk.
   */
  id?: string;
  /**
   * Always `chat.completion.chunk`.
   */
  object?: string;
  /**
   * When the completion was created, in seconds since the Unix epoch.
   */
  created?: number;
  /**
   * The model id that answers.
   */
  model?: string;
  /**
   * The new text; empty in the usage chunk.
   */
  choices?: Array<ChatCompletionChunkChoice>;
  /**
   * Usage of the whole request, only in the last chunk and only with `stream_options.include_usage`.
   */
  usage?: CompletionUsage;
};

