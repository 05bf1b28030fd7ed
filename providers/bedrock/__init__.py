"""A provider for AWS Bedrock through boto3's `bedrock-runtime` Converse, ConverseStream and
InvokeModel (embeddings).

Config (`providers: {<name>: {type: bedrock, ...}}`), every key optional:

- `region`: the AWS region; else `AWS_REGION`, then `AWS_DEFAULT_REGION` or
  the profile's `region` (botocore's own lookup). No region: unavailable.
- `profile`: a profile of `~/.aws/config`; else botocore's chain decides
  (`AWS_PROFILE`, env keys, SSO, role assumption, container or instance role).
- `endpoint_url`: another Bedrock Runtime endpoint (VPC endpoint, a local fake).
- `connect_timeout_seconds` (default 5) and `timeout_seconds` (default 120):
  botocore's connect and read timeouts for one call; a read timeout answers
  DEADLINE_EXCEEDED (4).
- `max_attempts` (default 3), `retry_base_seconds` (default 0.5),
  `retry_max_seconds` (default 8): our retries with full-jitter backoff,
  `uniform(0, min(max, base * 2**n))`. botocore's own retries are off, so one
  policy (ours) decides, and only before any text was yielded.
- `max_concurrency` (default 64): calls in flight at once, threads of this
  provider's pool and connections of each client's pool. boto3 blocks, so each
  call holds one slot (a stream for its whole length, its reads in a pool
  thread); more calls wait their turn before anything is sent, within their
  `CompletionRequest.timeout`.
- `instance_metadata` (default true): whether the EC2 instance role may be
  looked up; `metadata_timeout_seconds` (default 1) bounds that one lookup.

A model's `options` may override `region`, `endpoint_url`,
`connect_timeout_seconds` and `timeout_seconds`; one client is built per
distinct (region, endpoint, timeouts) and kept for the provider's life.

Credentials come from botocore's standard chain (`providers.aws_credentials`),
resolved once when the provider is built and never blocking a caller: the EC2
instance-role lookup runs in the background, and until it answers the model is
reported unavailable ("looking up the EC2 instance role").
`AWS_EC2_METADATA_DISABLED=true` or `instance_metadata: false` skips it.
Credentials added after start-up (a new `~/.aws/credentials`) need a restart.

Error mapping (our gRPC codes): ThrottlingException -> retried, then
UNAVAILABLE (14), except a daily quota ("Too many tokens per day") and
ServiceQuotaExceededException -> RESOURCE_EXHAUSTED (8, not retried);
ModelTimeoutException and read timeouts -> DEADLINE_EXCEEDED (4);
ValidationException -> INVALID_ARGUMENT (3), or OUT_OF_RANGE (11) when the
prompt is too long; AccessDeniedException, ResourceNotFoundException, a model
not enabled or only served through an inference profile ("on-demand
throughput isn't supported"), rejected (expired, unrecognised) or missing
credentials, no region -> FAILED_PRECONDITION (9, with what to do);
ServiceUnavailable, ModelNotReady, InternalServer, ModelStreamError,
ModelError, other 429/5xx answers, connection failures and cut or malformed
streams -> retried while nothing was yielded, then
UNAVAILABLE (14); a stream cut after messageStop (the answer whole, only its
usage lost) ends normally, its usage estimated. Exceptions inside a stream
(botocore's EventStreamError) map the same way. The whole-answer deadline
(`CompletionRequest.timeout`) is held by domain.deadline around every
provider: its cancellation closes a stream, and a call still queued for a
worker thread is never sent; here the timeout only caps a Converse call's
read timeout, so a call that cannot be recalled ends with the request.

Layout: `request` maps a CompletionRequest to Converse's parameters,
`response` maps answers and stream events back, `errors` maps failures,
`client` holds the boto3 clients and the stream reader, `embeddings` the
InvokeModel bodies of the embeddings models, `provider` is the Provider itself
(retries, the thread pool, shutdown).

Mapped: text in and out (system prompt, user/assistant history), images
(`image` blocks), tools (`toolConfig` with a `toolSpec` per tool; tool_choice
auto/required/a function as `auto`/`any`/`tool`; `none` leaves the tools out,
unless the history holds tool blocks, where Converse requires them declared
and the model decides), an assistant's tool calls as `toolUse` blocks and tool
results as `toolResult` blocks of a user turn, ConverseStream's toolUse
`contentBlockStart` / `contentBlockDelta` events as ToolCallDeltas (stop
reason `tool_use` -> TOOL_CALLS), structured output (`response_format`) as a
forced tool `structured_answer` whose input schema is the requested schema and
whose input is the answer's text (so it cannot be combined with tools: 3),
maxTokens (the model's `max_output_tokens` when the request sets none),
temperature, topP, stop sequences, usage and stop reasons; embeddings through
InvokeModel (`embeddings`: Titan Text Embeddings v2, Cohere Embed v3). Not
mapped: documents, guardrail configuration, reasoning content (its deltas
are skipped, only the answer's text is returned), prompt caching.
"""

from providers.bedrock.provider import BedrockProvider

__all__ = ["BedrockProvider"]
