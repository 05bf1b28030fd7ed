/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { EmbeddingInput } from './EmbeddingInput';
/**
 * Request body of OpenAIService.CreateEmbedding.
 */
export type CreateEmbeddingRequest = {
  /**
   * Id of an embeddings model (see ListOpenAIModels).
   */
  model: string;
  /**
   * The text or texts to embed.
   */
  input: EmbeddingInput;
  /**
   * `float` (default: arrays of numbers) or `base64` (little-endian float32s, base64-encoded).
   */
  encoding_format?: string;
  /**
   * Length of each vector, for models that can shorten theirs (else 3).
   */
  dimensions?: number;
  /**
   * An id for the end user; accepted and ignored.
   */
  user?: string;
};

