/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { ChatCompletionChunkDelta } from './ChatCompletionChunkDelta';
/**
 * One choice of a streamed chunk.
 */
export type ChatCompletionChunkChoice = {
  /**
   * Position of the choice; always 0.
   */
  index?: number;
  /**
   * What the chunk adds.
   */
  delta?: ChatCompletionChunkDelta;
  /**
   * Set in the chunk that ends the answer: `stop`, `length`, `content_filter` or `tool_calls`.
   */
  finish_reason?: string;
};

