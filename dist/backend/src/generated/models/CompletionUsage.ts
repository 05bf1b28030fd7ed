/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
/**
 * Token counts, in OpenAI's shape.
 */
export type CompletionUsage = {
  /**
   * Tokens of the prompt.
   */
  prompt_tokens?: number;
  /**
   * Tokens of the answer.
   */
  completion_tokens?: number;
  /**
   * prompt_tokens + completion_tokens.
   */
  total_tokens?: number;
};

