// A user's session through the TypeScript SDK against a live server; prints what it saw as JSON.
// Usage: node flow.js <base url> <user key>. Compiled by tests/sdk/test_typescript_sdk.py against
// the packed SDK, so it also checks that the package's types serve a strict TypeScript program.
import {
  ApiError,
  BackendClient,
  Code,
  errorStatus,
  parseEvents,
  type Conversation,
  type StreamMessageEvent,
} from '@privatellm/backend';

declare const process: { argv: string[]; exitCode?: number };

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

  const result = {
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
  };
  console.log(JSON.stringify(result));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
