/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { Limits } from './Limits';
/**
 * The limits of one user: all of its keys together.
 */
export type UserLimits = {
  /**
   * Resource name, `users/{user}/limits`.
   */
  readonly name?: string;
  /**
   * The user id.
   */
  readonly user?: string;
  /**
   * The limits; unset fields take the defaults of the user's role.
   */
  limits?: Limits;
  /**
   * Opaque version tag; changes on every update.
   */
  etag?: string;
  /**
   * When the limits were last set; absent while they are the defaults.
   */
  readonly updateTime?: string;
};

