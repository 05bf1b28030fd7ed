/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { ChatToolCallFunction } from './ChatToolCallFunction';
/**
 * A tool call of an assistant message.
 */
export type ChatToolCall = {
  /**
   * Id of the call; the `tool` message with its result quotes it as `tool_call_id`.
   */
  id: string;
  /**
   * Always `function`.
   */
  type: string;
  /**
   * The function called.
   */
  function: ChatToolCallFunction;
};

