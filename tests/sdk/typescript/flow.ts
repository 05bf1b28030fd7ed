// A user's session through the TypeScript SDK against a live server; prints what it saw as JSON.
// Usage: node flow.js <base url> <user key>. Compiled by tests/sdk/test_typescript_sdk.py against
// the packed SDK, so it also checks that the package's types serve a strict TypeScript program.
import {
  ApiError,
  BackendClient,
  Code,
  errorStatus,
  parseEvents,
  readEvents,
  streamChatCompletionEvents,
  streamMessageEvents,
  type Conversation,
  type Message,
  type ServerEvent,
  type StreamMessageEvent,
} from '@privatellm/backend';

declare const process: { argv: string[]; exitCode?: number };

const SETTLE_POLLS = 100;
const SETTLE_POLL_MS = 50;
// The echo model waits 200 ms before each of this answer's 10 tokens: a reader that waited for the
// whole body would only see the first delta after the answer is stored COMPLETE.
const SLOW_CONTENT = '[echo:delay=200] one two three four five six seven eight';

async function failure(call: () => Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await call();
  } catch (error) {
    const status = errorStatus(error);
    return {
      isApiError: error instanceof ApiError,
      httpStatus: error instanceof ApiError ? error.status : null,
      bodyCode: error instanceof ApiError ? error.body.code : null,
      code: status?.code ?? null,
      message: status?.message ?? null,
    };
  }
  return { isApiError: false, code: null };
}

/** The conversation's last message once it is no longer IN_PROGRESS (a cancelled stream settles
 * on the server right after the connection closes). */
async function settled(client: BackendClient, conversation: string): Promise<Message> {
  for (let poll = 0; poll < SETTLE_POLLS; poll++) {
    const messages = (await client.messageService.listMessages({ conversation })).messages ?? [];
    const last = messages[messages.length - 1];
    if (last !== undefined && last.status !== 'IN_PROGRESS') {
      return last;
    }
    await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
  }
  throw new Error(`the answer in ${conversation} is still IN_PROGRESS after ${SETTLE_POLLS} polls`);
}

/** A byte stream that delivers `chunks` one read at a time. */
function byteStream(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  let next = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (next < chunks.length) {
        controller.enqueue(chunks[next++]);
      } else {
        controller.close();
      }
    },
  });
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<ServerEvent[]> {
  const events: ServerEvent[] = [];
  for await (const event of readEvents(stream)) {
    events.push(event);
  }
  return events;
}

/** readEvents on byte streams split everywhere: between `\r` and `\n`, inside a UTF-8 character. */
async function decoding(): Promise<Record<string, unknown>> {
  const text =
    'event: delta\r\ndata: {"content":\r\ndata: "é€ 🙂"}\r\n\r\n: a comment\n\n' +
    'event: userMessage\rid: 7\rdata: 1\r\rdata:[DONE]\n\ndata: 2\n\n';
  const bytes = new TextEncoder().encode(text);
  const expected = JSON.stringify(await collect(byteStream([bytes])));
  let splitsMatching = 0;
  for (let at = 0; at <= bytes.length; at++) {
    const events = await collect(byteStream([bytes.slice(0, at), bytes.slice(at)]));
    splitsMatching += JSON.stringify(events) === expected ? 1 : 0;
  }
  const byteByByte = await collect(byteStream(Array.from(bytes, (b) => Uint8Array.of(b))));
  const cutOff = 'data: 1\n\ndata: 2';
  let cancelled = false;
  let sent = 0;
  const endless = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.enqueue(new TextEncoder().encode(`data: ${sent++}\n\n`));
    },
    cancel() {
      cancelled = true;
    },
  });
  const beforeBreak: unknown[] = [];
  for await (const event of readEvents(endless)) {
    beforeBreak.push(event.data);
    if (beforeBreak.length === 3) {
      break;
    }
  }
  return {
    events: JSON.parse(expected) as unknown,
    splits: bytes.length + 1,
    splitsMatching,
    byteByByte: JSON.stringify(byteByByte) === expected,
    cutOff: (await collect(byteStream([new TextEncoder().encode(cutOff)]))).map((e) => e.data),
    parsedCutOff: parseEvents(cutOff).map((e) => e.data),
    lastCarriageReturn: (await collect(byteStream([new TextEncoder().encode('data: 3\r\r')]))).map(
      (e) => e.data,
    ),
    beforeBreak,
    cancelledOnBreak: cancelled,
  };
}

/** The helper against the live server: live events, cancellation by break and by abort, errors. */
async function streaming(base: string, key: string): Promise<Record<string, unknown>> {
  // TOKEN as a resolver function, which the generated config allows: the helper resolves it too.
  const client = new BackendClient({ BASE: base, TOKEN: async () => key });
  const chat = await client.conversationService.createConversation({
    requestBody: { title: 'Streaming from TypeScript', model: 'echo' },
  });
  const id = chat.id ?? '';

  const live: StreamMessageEvent[] = [];
  for await (const event of streamMessageEvents(client, id, { content: 'four five six' })) {
    live.push(event);
  }

  const broken: string[] = [];
  let brokenDelta = '';
  for await (const event of streamMessageEvents(client, id, { content: SLOW_CONTENT })) {
    broken.push(event.event);
    if (event.event === 'delta') {
      brokenDelta = event.data.content ?? '';
      break;
    }
  }
  const afterBreak = await settled(client, id);

  const aborted: string[] = [];
  let abortedDelta = '';
  let abortError = '';
  const controller = new AbortController();
  try {
    const events = streamMessageEvents(client, id, { content: SLOW_CONTENT }, controller);
    for await (const event of events) {
      aborted.push(event.event);
      if (event.event === 'delta') {
        abortedDelta = event.data.content ?? '';
        controller.abort();
      }
    }
  } catch (error) {
    abortError = error instanceof Error ? error.name : String(error);
  }
  const afterAbort = await settled(client, id);

  let openAiText = '';
  const chunks = streamChatCompletionEvents(client, {
    model: 'echo',
    messages: [{ role: 'user', content: 'seven eight nine' }],
  });
  for await (const event of chunks) {
    if (event.event === 'message') {
      openAiText += event.data.choices?.[0]?.delta?.content ?? '';
    }
  }

  const current = await client.conversationService.getConversation({ conversation: id });
  await client.conversationService.deleteConversation({ conversation: id, etag: current.etag });
  const unknownConversation = await failure(() =>
    streamMessageEvents(client, id, { content: 'Anyone there?' }).next(),
  );
  const badKey = await failure(() =>
    streamMessageEvents(new BackendClient({ BASE: base, TOKEN: 'not-a-key' }), id, {
      content: 'Hi',
    }).next(),
  );
  const stopped = (message: Message) => ({ status: message.status, content: message.content });
  return {
    live: {
      events: live.map((e) => e.event),
      text: live.map((e) => (e.event === 'delta' ? e.data.content ?? '' : '')).join(''),
      answer: live.flatMap((e) => (e.event === 'assistantMessage' ? [e.data.content] : [])),
    },
    broken: { events: broken, delta: brokenDelta, stored: stopped(afterBreak) },
    aborted: { events: aborted, delta: abortedDelta, error: abortError, stored: stopped(afterAbort) },
    openAi: { text: openAiText },
    unknownConversation,
    badKey,
  };
}

async function main(): Promise<void> {
  const [base, key] = process.argv.slice(2);
  const client = new BackendClient({ BASE: base, TOKEN: key });

  const created: Conversation = await client.conversationService.createConversation({
    requestBody: { title: 'From TypeScript', model: 'echo' },
  });
  const id = created.id ?? '';
  const sent = await client.messageService.sendMessage({
    conversation: id,
    requestBody: { content: 'Hello from TypeScript' },
  });
  const streamed = parseEvents<StreamMessageEvent>(
    await client.messageService.streamMessage({
      conversation: id,
      requestBody: { content: 'one two three' },
    }),
  );
  const listed = await client.messageService.listMessages({ conversation: id });
  const fetched = await client.conversationService.getConversation({ conversation: id });
  const updated = await client.conversationService.updateConversation({
    conversation: id,
    updateMask: 'title',
    requestBody: { title: 'Renamed from TypeScript', etag: fetched.etag },
  });
  const staleUpdate = await failure(() =>
    client.conversationService.updateConversation({
      conversation: id,
      updateMask: 'title',
      requestBody: { title: 'Lost update', etag: fetched.etag },
    }),
  );
  await client.conversationService.deleteConversation({ conversation: id, etag: updated.etag });
  const afterDelete = await failure(() =>
    client.conversationService.getConversation({ conversation: id }),
  );
  const badKey = await failure(() =>
    new BackendClient({ BASE: base, TOKEN: 'not-a-key' }).conversationService.listConversations({}),
  );

  // Limits: a key of the user's own with limits, updated with its etag, then read by that key.
  const limitedKey = await client.apiKeyService.createApiKey({
    requestBody: { displayName: 'TypeScript limits', limits: { requestsPerMinute: 5 } },
  });
  const limitedId = limitedKey.apiKey?.id ?? '';
  const relimited = await client.apiKeyService.updateApiKey({
    apiKey: limitedId,
    updateMask: 'limits.requestsPerMinute',
    requestBody: { limits: { requestsPerMinute: 8 }, etag: limitedKey.apiKey?.etag },
  });
  const effective = await new BackendClient({
    BASE: base,
    TOKEN: limitedKey.secret ?? '',
  }).limitsService.getEffectiveLimits({});

  const result = {
    limits: {
      created: limitedKey.apiKey?.limits ?? null,
      updated: relimited.limits ?? null,
      effective: (effective.limits ?? []).map((l) => [l.scope, l.limit, l.value, l.remaining]),
      keyId: limitedId,
    },
    created: { id, title: created.title, model: created.model, etag: created.etag },
    sent: {
      user: [sent.userMessage?.role, sent.userMessage?.content],
      assistant: [sent.assistantMessage?.role, sent.assistantMessage?.content],
      assistantId: sent.assistantMessage?.id,
    },
    streamed: {
      events: streamed.map((e) => e.event),
      text: streamed.map((e) => (e.event === 'delta' ? e.data.content ?? '' : '')).join(''),
      answer: streamed.flatMap((e) => (e.event === 'assistantMessage' ? [e.data.content] : [])),
    },
    listed: (listed.messages ?? []).map((m) => ({ id: m.id, role: m.role, content: m.content })),
    updated: { id: updated.id, title: updated.title, etagChanged: updated.etag !== fetched.etag },
    staleUpdate,
    afterDelete,
    badKey,
    codes: { NOT_FOUND: Code.NOT_FOUND, ABORTED: Code.ABORTED },
    streaming: await streaming(base, key),
    decoding: await decoding(),
  };
  console.log(JSON.stringify(result));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
