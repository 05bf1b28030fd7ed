/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
/**
 * A piece of an answer being generated.
 */
export type MessageDelta = {
  /**
   * Resource name of the answer being written.
   */
  name?: string;
  /**
   * The text to append.
   */
  content?: string;
};

