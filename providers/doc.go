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
// New returns the parity.Client every model is asked through. Client.Plan is
// the one place a request body is built: the model and messages, the
// token-limit field, sampling parameters (an explicit 0 included), the
// thinking switch, stream usage, the catalog's extra fields and
// Request.Extra, encoded once into Plan.JSON. Complete sends exactly those
// bytes and returns them as Completion.Request, which is stored with each
// sample (parity show --raw prints it); doctor reports its first probe's.
//
// The client sends and reads itself, using github.com/sashabaranov/go-openai
// for the wire shapes it models well (usage, finish reasons, error objects). Its
// own client is not on the request path: it writes its own body from its
// own struct (which cannot carry temperature 0 or provider fields), joins
// the endpoint to the base URL as text (breaking a base URL with a query
// string), hides response headers on errors, and its stream reader takes an
// event with "error":null for an error and reports a stream that stops
// between two events as if it had ended with [DONE]. Each attempt
//
//   - posts the plan's body to the current replica, with the key as a
//     bearer token;
//   - retries 429, 5xx, malformed bodies and dropped connections (also
//     mid-stream) with decorrelated-jitter back-off, honouring Retry-After
//     (seconds or HTTP date) and retry-after-ms, within MaxAttempts and the
//     Deadline, and never retries credentials, balance, invalid request,
//     not found or moderation failures, nor an answer over
//     Options.MaxResponseBytes (16 MiB by default);
//   - reads the whole body (the whole event stream when streaming) and
//     decodes it once, event by event, into the answer, keeping the raw
//     response; a raw response too long to be worth a second copy of the
//     answer keeps only its two ends.
//
// Every string taken from a response (content, reasoning, model and
// finish reason, raw body, error text) is scrubbed of the API key, and a
// password in a base URL is used but never shown, nor the values of its query
// string but the API version: Plan.URL and network errors leave them out.
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
// healthy replica. Options.ReplicaConcurrency (or ReplicaCaps, by URL) caps
// the requests in flight to each replica; a request finding every replica
// full waits for one. docs/providers.md lists what each built-in provider
// needs.
//
// The per-provider cap is set in the catalog and enforced here only;
// Client.ProviderConcurrency tells a worker pool the cap, so it can hold
// work back instead of tying workers up waiting for it. Options.Concurrency
// sizes the idle connection pool to the requests in flight.
//
// Each request's state is a local value of the Complete call that sends
// it, handed explicitly to the sender, the limiter and the mock; the
// limiter is the only state shared between requests and the Client is safe
// for concurrent use.
//
// The mock provider ("mock/oracle", "mock/oracle-NN", "mock/random") is
// served in process in the same wire format, so a new user can try the whole
// pipeline offline. It learns which item and sample it is asked from
// Request.Ref, which is never sent, and their gold answers from the
// Options.Answers key its caller builds; no gold answer travels with a
// request.
package providers
