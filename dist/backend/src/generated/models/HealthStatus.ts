/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { HealthCheck } from './HealthCheck';
/**
 * The state of the process.
 */
export type HealthStatus = {
  /**
   * `SERVING`, or `NOT_SERVING` in the checks' detail.
   */
  status?: string;
  /**
   * The dependency checks made (readiness only).
   */
  checks?: Array<HealthCheck>;
};

