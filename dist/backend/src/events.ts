// Hand-written: `make` copies it from codegen/typescript/sdk/ into dist/backend/src/; edit it there.
import type { Message, MessageDelta, Status } from './generated';

/** One Server-Sent Event: its `event:` name (`message` when absent) and its parsed `data:`. */
export type ServerEvent<T = unknown> = { event: string; data: T };

/** The events of `messageService.streamMessage`, by name. */
export type StreamMessageEvent =
  | { event: 'userMessage'; data: Message }
  | { event: 'delta'; data: MessageDelta }
  | { event: 'assistantMessage'; data: Message }
  | { event: 'error'; data: Status };

/**
 * The events of a text/event-stream body (what the client returns for a
 * streaming operation), in order; name the events' type to read them typed:
 * `parseEvents<StreamMessageEvent>(body)`. A `data: [DONE]` line (the
 * OpenAI-compatible endpoint's end marker) ends the list. The data are not
 * validated.
 */
export function parseEvents<E extends ServerEvent = ServerEvent>(body: string): E[] {
  const events: E[] = [];
  for (const block of body.split(/\r?\n\r?\n/)) {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith('event:')) {
        event = line.slice('event:'.length).trim();
      } else if (line.startsWith('data:')) {
        data.push(line.slice('data:'.length).replace(/^ /, ''));
      }
    }
    if (data.length === 0) {
      continue;
    }
    const text = data.join('\n');
    if (text === '[DONE]') {
      break;
    }
    events.push({ event, data: JSON.parse(text) as unknown } as E);
  }
  return events;
}
