/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { ChatImageUrl } from './ChatImageUrl';
/**
 * One part of a message's content.
 */
export type ChatContentPart = {
  /**
   * `text` or `image_url`.
   */
  type: string;
  /**
   * The text of a `text` part.
   */
  text?: string;
  /**
   * The image of an `image_url` part.
   */
  image_url?: ChatImageUrl;
};

