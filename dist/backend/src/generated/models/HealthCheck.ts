/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
/**
 * The result of one dependency check.
 */
export type HealthCheck = {
  /**
   * What was checked, e.g. `database` or `provider:bedrock`.
   */
  name?: string;
  /**
   * Whether it passed.
   */
  ok?: boolean;
  /**
   * Why it failed, or a short note.
   */
  message?: string;
};

