/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { Limits } from './Limits';
/**
 * An API key, without its secret.
 */
export type ApiKey = {
  /**
   * Resource name, `apiKeys/{api_key}`.
   */
  readonly name?: string;
  /**
   * The key's id: the last segment of `name` (not the secret).
   */
  readonly id?: string;
  /**
   * A label to recognise the key by. Any Unicode text but U+0000 (NUL), which
   * is refused with INVALID_ARGUMENT (3).
   */
  displayName?: string;
  /**
   * The user the key acts as; the caller's own user when empty.
   */
  user?: string;
  /**
   * What the key may do; USER when unset.
   */
  role?: 'ROLE_UNSPECIFIED' | 'USER' | 'ADMIN';
  /**
   * The first characters of the secret, to recognise it in lists.
   */
  readonly prefix?: string;
  /**
   * Whether the key is usable.
   */
  readonly state?: 'STATE_UNSPECIFIED' | 'ACTIVE' | 'REVOKED';
  /**
   * When the key was created.
   */
  readonly createTime?: string;
  /**
   * When the key was revoked; absent while it is active.
   */
  readonly revokeTime?: string;
  /**
   * Caps on this key's requests, besides its user's; unlimited when unset.
   */
  limits?: Limits;
  /**
   * Opaque version tag; changes on every update. Send it back on update to
   * act only if nobody changed the key meanwhile.
   */
  etag?: string;
};

