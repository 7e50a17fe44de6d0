// Package providers knows the model APIs parity can ask and holds the one
// shared OpenAI-compatible client that asks them.
//
// # Catalog
//
// The provider catalog is data: catalog.yaml, embedded in the binary, lists
// each provider's base URL (and mainland-China URL where it differs), the
// environment variable holding its key, its origin (CN, West, local, mock,
// custom) and its quirks: which body field limits output tokens, how
// thinking is switched (JSON fragments merged into the body), where
// reasoning text comes back, which sampling parameters it ignores, which
// errors must not be retried, default concurrency and rate, and price cards
// with currency, date and source. Builtin loads it; Merge layers a user file
// on top, field by field. A model id is "provider/model" and any model name
// works under a known provider: "vllm/Qwen/QwQ-32B" asks vllm for
// "Qwen/QwQ-32B".
//
// # Request rules
//
// Model entries, exact names or path.Match patterns, carry the rules of
// today's APIs as data: the accepted temperature range or fixed value, the
// thinking switches a model takes, the effort each parity effort runs as,
// the token-limit field, whether it counts the reasoning and its largest
// value, a thinking budget that must stay below the limit, and retirement
// (a date and replacement, or the model now answering the old id).
// Provider.Adapt turns generation parameters into the body fields one
// model takes and a warning for each change, so the same flags mean the
// same thing everywhere the API allows and runs record what was really
// sent; Client.Plan builds every body with it. Each entry records the date
// it was verified and its sources (Provider.Stale after StaleAfter).
// Hosts (Provider.Host) serve makers' open models under canonical names
// (Provider.Canonical), grouped under the maker's origin.
//
// For a one-off endpoint, cmd/parity maps
//
//	parity run --base-url URL --api-key-env VAR -m name/model
//
// to Catalog.AddEndpoint(name, URL, VAR): an unknown name becomes a new
// provider with default quirks, a known one keeps its quirks and prices and
// only changes address (a proxy in front of DeepSeek stays DeepSeek).
//
// # Client
//
// New returns a parity.Client built on github.com/sashabaranov/go-openai.
// go-openai cannot send extra body fields or temperature 0, has no retries
// and hides headers and bodies it does not model, so it is given an HTTPDoer
// of this package that
//
//   - splices the planned fields into its body (token-limit field, sampling
//     parameters including an explicit 0, thinking switch, stream usage,
//     Request.Extra), which also keeps its reasoning-model validation from
//     rejecting valid requests, since go-openai itself only sees the model,
//     messages and stream flag;
//   - retries 429, 5xx, malformed bodies and dropped connections (also
//     mid-stream) with decorrelated-jitter back-off, honouring Retry-After
//     (seconds or HTTP date) and retry-after-ms, within MaxAttempts and the
//     Deadline, and never retries credentials, balance, invalid request,
//     not found or moderation failures;
//   - reads the whole body (the whole event stream when streaming), so the
//     raw response is kept and reasoning fields go-openai drops can be read.
//
// # Limits
//
// Each attempt is admitted by a limiter inside the Client (no globals; the
// clock and sleep are Options.Now and Options.Sleep): a concurrency slot per
// provider, and per model when its entry sets concurrency, whose cap is
// halved on each rate limit and raised by one after Options.RecoverAfter
// successes (AIMD, between 1 and the configured value); then RPM and TPM
// tokens from the model's buckets (TPM reserves an estimate of the prompt
// and settles with the reported usage). Waiting ends with the context. The
// runner's own --concurrency still bounds the whole run on top of these.
// A model or provider with base_urls spreads attempts over its replicas,
// taking one that fails Options.ReplicaFailures times in a row out for
// Options.ReplicaCooldown, and retries a failed attempt at once on another
// healthy replica. docs/providers.md lists what each built-in provider needs.
//
// Per-request data travels in the request context; the limiter is the only
// state shared between requests and the Client is safe for concurrent use. Client.Plan shows the exact
// body a request would be sent with, and the warnings for settings the
// provider cannot honour.
//
// The mock provider ("mock/oracle", "mock/oracle-NN", "mock/random") is
// served in process in the same wire format, so a new user can try the whole
// pipeline offline; it reads parity.Request.Hint from the context, never
// from the wire.
package providers
