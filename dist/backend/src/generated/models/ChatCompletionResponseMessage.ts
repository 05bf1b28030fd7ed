/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { ChatToolCall } from './ChatToolCall';
/**
 * The answer's message.
 */
export type ChatCompletionResponseMessage = {
  /**
   * Always `assistant`.
   */
  role?: string;
  /**
   * The text of the answer; null when the answer only calls tools.
   */
  content?: string | null;
  /**
   * The tools the model calls, when it calls any.
   */
  tool_calls?: Array<ChatToolCall>;
};

