/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { Embedding } from './Embedding';
import type { EmbeddingUsage } from './EmbeddingUsage';
/**
 * Embeddings, in OpenAI's list shape.
 */
export type CreateEmbeddingResponse = {
  /**
   * Always `list`.
   */
  object?: string;
  /**
   * One embedding per input text, in order.
   */
  data?: Array<Embedding>;
  /**
   * The model id that answered.
   */
  model?: string;
  /**
   * Tokens counted.
   */
  usage?: EmbeddingUsage;
};

