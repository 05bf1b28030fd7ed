/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { ApiKey } from './ApiKey';
/**
 * A page of keys.
 */
export type ListApiKeysResponse = {
  /**
   * The keys, newest first.
   */
  apiKeys?: Array<ApiKey>;
  /**
   * Token for the next page; empty on the last page.
   */
  nextPageToken?: string;
};

