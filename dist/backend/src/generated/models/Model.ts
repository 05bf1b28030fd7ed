/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
/**
 * A model of the catalog: our id for it and the upstream model it maps to.
 */
export type Model = {
  /**
   * Resource name, `models/{model}`.
   */
  readonly name?: string;
  /**
   * The model id clients pass in `model` fields, e.g. `echo` or `claude-sonnet`.
   */
  readonly id?: string;
  /**
   * Human-readable name.
   */
  readonly displayName?: string;
  /**
   * What the model is good for; test models say so here.
   */
  readonly description?: string;
  /**
   * The kind of back end that serves the model.
   */
  readonly provider?: 'PROVIDER_UNSPECIFIED' | 'ECHO' | 'BEDROCK' | 'OPENAI';
  /**
   * The name of the configured provider instance that serves the model, e.g. `bedrock` or `ollama`.
   */
  readonly providerName?: string;
  /**
   * The model id the upstream knows, e.g. a Bedrock model id.
   */
  readonly upstreamModelId?: string;
  /**
   * Maximum tokens of prompt plus answer the model accepts.
   */
  readonly contextWindow?: number;
  /**
   * Maximum tokens the model writes in one answer.
   */
  readonly maxOutputTokens?: number;
  /**
   * Whether the model can be called now: enabled and its provider configured (credentials present).
   */
  readonly available?: boolean;
  /**
   * Why the model is not available; empty when it is.
   */
  readonly unavailableReason?: string;
  /**
   * Whether this is a test model (such as `echo`) rather than a real LLM.
   */
  readonly testModel?: boolean;
  /**
   * What the model can do; asking it for anything else answers 3.
   */
  readonly capabilities?: Array<'CAPABILITY_UNSPECIFIED' | 'CHAT' | 'EMBEDDINGS' | 'TOOLS' | 'VISION'>;
};

