/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
/**
 * A model, in OpenAI's shape.
 */
export type OpenAIModel = {
  /**
   * The model id to pass as `model`.
   */
  id?: string;
  /**
   * Always `model`.
   */
  object?: string;
  /**
   * When the model was added, in seconds since the Unix epoch (0 when unknown).
   */
  created?: number;
  /**
   * Who serves it: the provider instance name.
   */
  owned_by?: string;
  /**
   * What it can do: `chat`, `embeddings`, `tools`, `vision`.
   */
  capabilities?: Array<string>;
};

