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
  requests?: string;
  /**
   * Prompt tokens.
   */
  inputTokens?: string;
  /**
   * Answer tokens.
   */
  outputTokens?: string;
  /**
   * What these tokens cost, at the model's configured prices, in the
   * deployment's currency (see `currency` on the report).
   */
  cost?: number;
};

