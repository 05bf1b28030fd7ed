/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { ChatToolCallDelta } from './ChatToolCallDelta';
/**
 * The new text of a streamed answer.
 */
export type ChatCompletionChunkDelta = {
  /**
   * `assistant` in the first chunk, absent after.
   */
  role?: string;
  /**
   * Text to append.
   */
  content?: string;
  /**
   * Pieces of tool calls: the first of each call has its `index`, `id`,
   * `type` and function `name`, the next ones more of its `arguments`.
   */
  tool_calls?: Array<ChatToolCallDelta>;
};

