/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
/**
 * A piece of a streamed tool call's function.
 */
export type ChatToolCallDeltaFunction = {
  /**
   * The function's name, in the call's first piece.
   */
  name?: string;
  /**
   * More of the arguments' JSON text, to append.
   */
  arguments?: string;
};

