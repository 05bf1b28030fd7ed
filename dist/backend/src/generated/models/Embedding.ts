/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { EmbeddingVector } from './EmbeddingVector';
/**
 * The embedding of one input text.
 */
export type Embedding = {
  /**
   * Always `embedding`.
   */
  object?: string;
  /**
   * Position of its text in `input`.
   */
  index?: number;
  /**
   * The vector.
   */
  embedding?: EmbeddingVector;
};

