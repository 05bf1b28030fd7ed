/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
/**
 * A named JSON Schema for the answer.
 */
export type ChatJsonSchema = {
  /**
   * Its name: letters, digits, `_` and `-`, up to 64.
   */
  name: string;
  /**
   * What the answer is, for the model.
   */
  description?: string;
  /**
   * The JSON Schema the answer must match.
   */
  schema?: Record<string, any>;
  /**
   * Whether the answer must follow the schema exactly.
   */
  strict?: boolean;
};

