// Hand-written: `make` copies it from codegen/typescript/sdk/ into dist/backend/src/; edit it there.
import type { ChatCompletionChunk, Message, MessageDelta, Status } from './generated';

/** One Server-Sent Event: its `event:` name (`message` when absent) and its parsed `data:`. */
export type ServerEvent<T = unknown> = { event: string; data: T };

/** The events of `messageService.streamMessage`, by name. */
export type StreamMessageEvent =
  | { event: 'userMessage'; data: Message }
  | { event: 'delta'; data: MessageDelta }
  | { event: 'assistantMessage'; data: Message }
  | { event: 'error'; data: Status };

/**
 * The events of a streamed `openAiService.createChatCompletion`: a chunk per
 * `message` event; a failure midway is an `error` event with our envelope (and
 * the same envelope again as `error`, for OpenAI's SDKs). The `data: [DONE]`
 * that ends the stream is not an event.
 */
export type ChatCompletionEvent =
  | { event: 'message'; data: ChatCompletionChunk }
  | { event: 'error'; data: Status & { error?: Status } };

/**
 * Turns text/event-stream text into events as the text arrives: `push` each
 * piece (split anywhere, even inside a line or between `\r` and `\n`) and get
 * the events whose block the piece completed, then `end()` when the text ends.
 * Lines may end with `\n`, `\r\n` or `\r`; the `data:` lines of one block are
 * joined with `\n` and parsed as JSON; comments (`:`), `id:` and `retry:` are ignored. After a `data: [DONE]`
 * (the OpenAI-compatible endpoint's end marker) `done` is true and nothing more
 * is returned. The data are not validated.
 */
export class EventStreamDecoder<E extends ServerEvent = ServerEvent> {
  private buffer = '';
  private carriageReturn = false;
  private event = '';
  private data: string[] = [];
  private finished = false;

  /** True once `data: [DONE]` has been read. */
  get done(): boolean {
    return this.finished;
  }

  /** The events completed by `text`, in order. */
  push(text: string): E[] {
    if (this.finished) {
      return [];
    }
    // A `\r` at the end may be the first half of a `\r\n`: decide once the next piece arrives.
    let pending = (this.carriageReturn ? '\r' : '') + text;
    this.carriageReturn = pending.endsWith('\r');
    if (this.carriageReturn) {
      pending = pending.slice(0, -1);
    }
    this.buffer += pending.replace(/\r\n?/g, '\n');
    const events: E[] = [];
    let end = this.buffer.indexOf('\n');
    while (end >= 0 && !this.finished) {
      const line = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 1);
      this.line(line, events);
      end = this.buffer.indexOf('\n');
    }
    return events;
  }

  /**
   * The text has ended: a last `\r` ends its line, and a block without its
   * closing blank line is dropped (it may have been cut short). The events
   * returned are those the last `\r` completed.
   */
  end(): E[] {
    const events = this.carriageReturn && !this.finished ? this.push('\n') : [];
    this.buffer = '';
    this.carriageReturn = false;
    this.event = '';
    this.data = [];
    return events;
  }

  private line(line: string, events: E[]): void {
    if (line === '') {
      this.dispatch(events);
      return;
    }
    if (line.startsWith(':')) {
      return;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') {
      this.event = value;
    } else if (field === 'data') {
      this.data.push(value);
    }
  }

  private dispatch(events: E[]): void {
    const event = this.event || 'message';
    const data = this.data;
    this.event = '';
    this.data = [];
    if (data.length === 0) {
      return;
    }
    const text = data.join('\n');
    if (text === '[DONE]') {
      this.finished = true;
      return;
    }
    events.push({ event, data: JSON.parse(text) as unknown } as E);
  }
}

/**
 * The events of a whole text/event-stream body (what the client returns for a
 * streaming operation), in order; name the events' type to read them typed:
 * `parseEvents<StreamMessageEvent>(body)`. A `data: [DONE]` line (the
 * OpenAI-compatible endpoint's end marker) ends the list. The data are not
 * validated. To read events while they arrive, see `streamMessageEvents`.
 */
export function parseEvents<E extends ServerEvent = ServerEvent>(body: string): E[] {
  // A whole body: its last block counts even without its blank line.
  const decoder = new EventStreamDecoder<E>();
  return [...decoder.push(`${body}\n\n`), ...decoder.end()];
}
