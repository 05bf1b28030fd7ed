/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
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
};

