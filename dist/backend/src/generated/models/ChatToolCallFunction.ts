/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
/**
 * The function of a tool call and its arguments.
 */
export type ChatToolCallFunction = {
  /**
   * Name of the function, one of the request's `tools`.
   */
  name: string;
  /**
   * The arguments, as a JSON object in a string.
   */
  arguments: string;
};

