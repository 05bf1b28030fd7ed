/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
/**
 * Tokens counted for one generation.
 */
export type Usage = {
  /**
   * Tokens of the prompt sent to the model (system prompt and history included).
   */
  inputTokens?: number;
  /**
   * Tokens the model wrote.
   */
  outputTokens?: number;
  /**
   * input_tokens + output_tokens.
   */
  totalTokens?: number;
};

