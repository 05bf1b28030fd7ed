/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
/**
 * A function the model may call.
 */
export type ChatFunction = {
  /**
   * Its name: letters, digits, `_` and `-`, up to 64.
   */
  name: string;
  /**
   * What it does, for the model.
   */
  description?: string;
  /**
   * Its arguments, as a JSON Schema of an object; none: no arguments.
   */
  parameters?: Record<string, any>;
  /**
   * Whether the arguments must follow the schema exactly; passed to OpenAI-compatible upstreams.
   */
  strict?: boolean;
};

