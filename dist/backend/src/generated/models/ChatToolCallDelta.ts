/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { ChatToolCallDeltaFunction } from './ChatToolCallDeltaFunction';
/**
 * A piece of a streamed tool call.
 */
export type ChatToolCallDelta = {
  /**
   * Which call of the answer this piece belongs to, from 0.
   */
  index: number;
  /**
   * Id of the call, in its first piece.
   */
  id?: string;
  /**
   * `function`, in its first piece.
   */
  type?: string;
  /**
   * The function's name (first piece) and a fragment of its arguments.
   */
  function?: ChatToolCallDeltaFunction;
};

