/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
/**
 * Token counts of an embeddings request.
 */
export type EmbeddingUsage = {
  /**
   * Tokens of the input.
   */
  prompt_tokens?: number;
  /**
   * The same: embeddings write no tokens.
   */
  total_tokens?: number;
};

