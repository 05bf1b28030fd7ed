/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { UsageRow } from './UsageRow';
/**
 * Usage over a date range.
 */
export type UsageReport = {
  /**
   * First day of the report, `YYYY-MM-DD`.
   */
  startDate?: string;
  /**
   * Last day of the report, `YYYY-MM-DD`.
   */
  endDate?: string;
  /**
   * One row per day, user and model with any usage, by date then user then model.
   */
  rows?: Array<UsageRow>;
  /**
   * Generations over all rows.
   */
  totalRequests?: string;
  /**
   * Prompt tokens over all rows.
   */
  totalInputTokens?: string;
  /**
   * Answer tokens over all rows.
   */
  totalOutputTokens?: string;
  /**
   * Cost over all rows.
   */
  totalCost?: number;
  /**
   * The currency of the costs (ISO 4217, e.g. `USD`), from the server's configuration.
   */
  currency?: string;
};

