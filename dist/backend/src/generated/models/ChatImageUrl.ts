/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
/**
 * An image: a `data:` URL (base64 PNG, JPEG, GIF or WebP), or an http(s) URL
 * where the server allows it (off by default; see the README).
 */
export type ChatImageUrl = {
  /**
   * `data:image/png;base64,...`, or `https://...` from an allowed host.
   */
  url: string;
  /**
   * OpenAI's resolution hint: `auto`, `low` or `high`; accepted, and not sent upstream.
   */
  detail?: string;
};

