/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { ChatCompletionResponseMessage } from './ChatCompletionResponseMessage';
/**
 * One choice of a completion (this server returns exactly one).
 */
export type ChatCompletionChoice = {
  /**
   * Position of the choice; always 0.
   */
  index?: number;
  /**
   * The answer.
   */
  message?: ChatCompletionResponseMessage;
  /**
   * Why the model stopped: `stop`, `length`, `content_filter` or `tool_calls`.
   */
  finish_reason?: string;
};

