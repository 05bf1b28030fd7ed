/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
/**
 * Options for a streamed answer.
 */
export type StreamOptions = {
  /**
   * Send one more chunk before `[DONE]` with the usage of the whole request.
   */
  include_usage?: boolean;
};

