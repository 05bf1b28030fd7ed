/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
/**
 * A function, by name.
 */
export type ChatFunctionName = {
  /**
   * The function's name.
   */
  name: string;
};

