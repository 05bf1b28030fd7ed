/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
/**
 * Usage of one user with one model on one day.
 */
export type UsageRow = {
  /**
   * The day, `YYYY-MM-DD` (UTC).
   */
  date?: string;
  /**
   * The user id.
   */
  user?: string;
  /**
   * The model id.
   */
  model?: string;
  /**
   * Generations requested (failed ones included).
   */
  requests?: number;
  /**
   * Prompt tokens.
   */
  inputTokens?: number;
  /**
   * Answer tokens.
   */
  outputTokens?: number;
};

