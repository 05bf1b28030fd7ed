/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
/**
 * One vector: numbers, or base64 text with `encoding_format: base64`.
 */
export type EmbeddingVector = (Array<number> | string);

