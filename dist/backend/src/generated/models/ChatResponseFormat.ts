/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { ChatJsonSchema } from './ChatJsonSchema';
/**
 * The shape of the answer: `text`, `json_object` (some JSON object), or
 * `json_schema` (JSON matching `json_schema.schema`).
 */
export type ChatResponseFormat = {
  /**
   * `text`, `json_object` or `json_schema`.
   */
  type: string;
  /**
   * The schema, with `type: json_schema`.
   */
  json_schema?: ChatJsonSchema;
};

