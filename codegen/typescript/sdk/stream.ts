// Hand-written: `make` copies it from codegen/typescript/sdk/ into dist/backend/src/; edit it there.
// Streaming operations read as their events arrive. The generated methods wait for the whole
// body; these send the same request with fetch and yield each event as soon as its block is in.
import type {
  BackendClient,
  CreateChatCompletionRequest,
  OpenAPIConfig,
  SendMessageRequest,
} from './generated';
import type { ApiRequestOptions } from './generated/core/ApiRequestOptions';
import type { ApiResult } from './generated/core/ApiResult';
import { catchErrorCodes, getHeaders, getRequestBody, getResponseBody } from './generated/core/request';
import { EventStreamDecoder } from './events';
import type { ChatCompletionEvent, ServerEvent, StreamMessageEvent } from './events';

/** Options of a streaming call. */
export type EventStreamOptions = {
  /** Aborting it stops the call: the generator throws the signal's abort error. */
  signal?: AbortSignal;
};

/**
 * Sends a message and yields the answer's events while the model writes it:
 * `userMessage` (stored), `delta`s (the new text), then `assistantMessage`
 * (stored, with usage), or an `error` event with the envelope if the
 * generation fails midway.
 *
 * Uses the client's configuration (BASE, TOKEN, HEADERS, credentials…). A
 * request refused before the stream starts throws `ApiError`, as the generated
 * methods do (`errorStatus(error)` reads its `{code, message}`). Leaving the
 * loop early (`break`, `return()`) or aborting `options.signal` closes the
 * connection, and the server stores the answer CANCELLED with the text so far.
 *
 * ```ts
 * for await (const e of streamMessageEvents(client, chat.id!, { content: 'Hi' })) {
 *   if (e.event === 'delta') process.stdout.write(e.data.content ?? '');
 * }
 * ```
 */
export function streamMessageEvents(
  client: BackendClient,
  conversation: string,
  body: SendMessageRequest,
  options: EventStreamOptions = {},
): AsyncGenerator<StreamMessageEvent, void, undefined> {
  return requestEvents<StreamMessageEvent>(
    client.request.config,
    {
      method: 'POST',
      url: '/v1/conversations/{conversation}/messages:stream',
      path: { conversation },
      body,
      mediaType: 'application/json',
    },
    options,
  );
}

/**
 * The OpenAI-compatible chat completion, streamed (`stream` is set to true):
 * a `message` event per chunk until `data: [DONE]`, or an `error` event. Errors
 * before the stream starts and cancellation as for `streamMessageEvents`.
 */
export function streamChatCompletionEvents(
  client: BackendClient,
  body: CreateChatCompletionRequest,
  options: EventStreamOptions = {},
): AsyncGenerator<ChatCompletionEvent, void, undefined> {
  return requestEvents<ChatCompletionEvent>(
    client.request.config,
    {
      method: 'POST',
      url: '/openai/v1/chat/completions',
      body: { ...body, stream: true },
      mediaType: 'application/json',
    },
    options,
  );
}

/**
 * The events of a text/event-stream byte stream, each as soon as its block is
 * complete (a block cut off by the end of the stream is dropped). Stopping
 * early (`break`, `return()`, an exception in the loop) cancels the stream.
 */
export async function* readEvents<E extends ServerEvent = ServerEvent>(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<E, void, undefined> {
  const reader = body.getReader();
  const text = new TextDecoder();
  const events = new EventStreamDecoder<E>();
  let finished = false;
  try {
    while (!events.done) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        yield* events.push(text.decode());
        yield* events.end();
        return;
      }
      yield* events.push(text.decode(value, { stream: true }));
    }
  } finally {
    if (!finished) {
      // Cancelling a fetch body closes the connection; a stream that already failed rejects here.
      await reader.cancel().catch(() => undefined);
    }
    reader.releaseLock();
  }
}

async function* requestEvents<E extends ServerEvent>(
  config: OpenAPIConfig,
  options: ApiRequestOptions,
  { signal }: EventStreamOptions,
): AsyncGenerator<E, void, undefined> {
  const request: ApiRequestOptions = {
    ...options,
    headers: { Accept: 'text/event-stream', ...options.headers },
  };
  const url = urlOf(config, request);
  const init: RequestInit = {
    method: request.method,
    headers: await getHeaders(config, request),
    body: getRequestBody(request),
    signal,
  };
  if (config.WITH_CREDENTIALS) {
    init.credentials = config.CREDENTIALS;
  }
  const response = await fetch(url, init);
  if (!response.ok) {
    const result: ApiResult = {
      url,
      ok: response.ok,
      status: response.status,
      statusText: response.statusText,
      body: await getResponseBody(response),
    };
    catchErrorCodes(request, result); // throws the generated client's ApiError for every non-2xx
  }
  if (response.body === null) {
    throw new Error(`${request.method} ${url} answered ${response.status} without a body`);
  }
  yield* readEvents<E>(response.body);
}

/** The request's URL, built as the generated client builds it. */
function urlOf(config: OpenAPIConfig, options: ApiRequestOptions): string {
  const encode = config.ENCODE_PATH ?? encodeURI;
  const path = options.url.replace(/{(.*?)}/g, (whole: string, name: string) =>
    options.path !== undefined && Object.prototype.hasOwnProperty.call(options.path, name)
      ? encode(String(options.path[name]))
      : whole,
  );
  return `${config.BASE}${path}`;
}
