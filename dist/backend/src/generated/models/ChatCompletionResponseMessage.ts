/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
/**
 * The answer's message.
 */
export type ChatCompletionResponseMessage = {
  /**
   * Always `assistant`.
   */
  role?: string;
  /**
   * The text of the answer.
   */
  content?: string;
};

