/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
/**
 * What to embed: one text, or an array of texts (one embedding each, in order).
 */
export type EmbeddingInput = (string | Array<string>);

