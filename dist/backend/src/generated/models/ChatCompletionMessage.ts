/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { ChatMessageContent } from './ChatMessageContent';
import type { ChatToolCall } from './ChatToolCall';
/**
 * One message of the chat, in OpenAI's shape.
 */
export type ChatCompletionMessage = {
  /**
   * Who wrote it: `user`, `assistant`, `system`, `developer`, or `tool` (the
   * result of a tool call, answering the assistant message that asked for it).
   */
  role: string;
  /**
   * The message: its text, or an array of content parts (text and images).
   * Null or absent reads as no text (as in an assistant message that only has
   * `tool_calls`).
   */
  content?: ChatMessageContent;
  /**
   * Optional name of the participant; accepted and ignored.
   */
  name?: string;
  /**
   * The tools an assistant message called (a `tool` message answers each by its id).
   */
  tool_calls?: Array<ChatToolCall>;
  /**
   * In a `tool` message (required there): the id of the call it answers.
   */
  tool_call_id?: string;
};

