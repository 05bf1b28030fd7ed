/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { QuotaErrorDetail } from './QuotaErrorDetail';
/**
 * The body of a RESOURCE_EXHAUSTED (8) answer: a google.rpc.Status whose
 * details are a google.rpc.QuotaFailure and a google.rpc.RetryInfo.
 */
export type QuotaError = {
  /**
   * 8 (RESOURCE_EXHAUSTED).
   */
  code?: number;
  /**
   * Which limit was reached, for people.
   */
  message?: string;
  /**
   * A QuotaFailure, then a RetryInfo.
   */
  details?: Array<QuotaErrorDetail>;
};

