package providers

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/parity-bench/parity"
)

// CheckStatus is the verdict of one doctor check.
type CheckStatus string

// The check verdicts. Warn means the model works but something will be
// missing or wrong in runs (no usage when streaming, a switch ignored);
// Skipped means an earlier failure made the check pointless or the catalog
// has nothing to test.
const (
	CheckOK      CheckStatus = "ok"
	CheckWarn    CheckStatus = "warn"
	CheckFail    CheckStatus = "fail"
	CheckSkipped CheckStatus = "skipped"
)

// The checks of a DoctorReport, in the order they are reported.
const (
	CheckReachable      = "reachable"       // the endpoint answered over HTTP
	CheckKey            = "key"             // the API key was accepted
	CheckAccount        = "account"         // the account may spend (balance, quota)
	CheckModel          = "model"           // the model answered and which id it reported
	CheckTokenLimit     = "token_limit"     // the provider's token-limit field was accepted and honoured
	CheckReasoning      = "reasoning"       // reasoning text came back, and in which field
	CheckThinkingSwitch = "thinking_switch" // thinking on and off make a difference
	CheckStreamUsage    = "stream_usage"    // a streamed answer ends with a usage chunk
	CheckLatency        = "latency"         // how long the probes took
	// CheckCatalog probes what the catalog claims the model accepts: the
	// lowest temperature it lets through, the lowest and highest effort it
	// sends, automatic thinking. Only with DoctorOptions.CatalogClaims.
	CheckCatalog = "catalog"
)

var doctorChecks = []string{CheckReachable, CheckKey, CheckAccount, CheckModel, CheckTokenLimit,
	CheckReasoning, CheckThinkingSwitch, CheckStreamUsage, CheckLatency}

// doctorPrompt is easy enough that any model answers it in a few tokens.
const doctorPrompt = "What is 2+3? Answer with just the number."

// slowProbe is how long a tiny request may take before latency is a warning.
const slowProbe = 20 * time.Second

// DoctorOptions configure Client.Doctor. Zero values pick the defaults noted.
type DoctorOptions struct {
	// Timeout bounds each probe request, its one retry included; default 30s.
	Timeout time.Duration
	// MaxTokens is the output limit sent with the probes; default 256.
	MaxTokens int
	// CatalogClaims adds the catalog check: one tiny request for each
	// setting the catalog says the model accepts beyond thinking on and
	// off. A refusal is reported as a catalog error naming the field and
	// value to change.
	CatalogClaims bool
}

// Check is one line of a doctor report: what was checked, the verdict, what
// was seen and, when it is not ok, what to do about it.
type Check struct {
	Name   string      `json:"name"`
	Status CheckStatus `json:"status"`
	Detail string      `json:"detail"`
	Advice string      `json:"advice,omitempty"`
}

// DoctorReport is what Client.Doctor found out about one model. Checks
// holds every check named by the Check* constants, in that order; the
// catalog check only when it was asked for.
type DoctorReport struct {
	// Model is the model id asked for; ModelReported the id the API put in
	// its answer.
	Model         string `json:"model"`
	ModelReported string `json:"model_reported,omitempty"`
	Provider      string `json:"provider"`
	// URL is the chat completions endpoint, without any password.
	URL string `json:"url"`
	// Request is the body of the first probe, byte for byte as it was
	// sent but for a credential a providers file put in it (extra fields),
	// masked by parity.ScrubSecrets as the stored request is.
	Request json.RawMessage `json:"request,omitempty"`
	// ReasoningField is where reasoning text came back: reasoning_content,
	// reasoning or think (inline tags); empty when none was seen.
	ReasoningField string  `json:"reasoning_field,omitempty"`
	Checks         []Check `json:"checks"`
	// Requests is the number of probe requests sent.
	Requests int `json:"requests"`
	// LatencyMS is the plain probe's latency, ThinkingLatencyMS the one with
	// thinking on and TTFTMS the streamed probe's time to first token.
	LatencyMS         int64 `json:"latency_ms,omitempty"`
	ThinkingLatencyMS int64 `json:"thinking_latency_ms,omitempty"`
	TTFTMS            int64 `json:"ttft_ms,omitempty"`
}

// Failed reports whether any check failed.
func (r *DoctorReport) Failed() bool {
	for _, c := range r.Checks {
		if c.Status == CheckFail {
			return true
		}
	}
	return false
}

// Check returns the check of that name.
func (r *DoctorReport) Check(name string) (Check, bool) {
	for _, c := range r.Checks {
		if c.Name == name {
			return c, true
		}
	}
	return Check{}, false
}

func (r *DoctorReport) set(name string, st CheckStatus, detail, advice string) {
	for i := range r.Checks {
		if r.Checks[i].Name == name {
			r.Checks[i] = Check{Name: name, Status: st, Detail: detail, Advice: advice}
			return
		}
	}
}

// skipRest marks every check still unset as skipped for reason.
func (r *DoctorReport) skipRest(reason string) {
	for i := range r.Checks {
		if r.Checks[i].Status == "" {
			r.Checks[i] = Check{Name: r.Checks[i].Name, Status: CheckSkipped, Detail: reason}
		}
	}
}

// probe is one doctor request and what came back.
type probe struct {
	plan *Plan
	comp parity.Completion
	err  error
	// fields lists where reasoning text was found in the raw answer,
	// whether or not the catalog reads that field.
	fields []string
	// usage reports whether any usage object came back.
	usage bool
}

// size is how much the model reasoned: characters of reasoning text, or an
// estimate from the reasoning token count when the text is hidden.
func (p *probe) size() int {
	if n := len([]rune(p.comp.Reasoning)); n > 0 {
		return n
	}
	return 4 * p.comp.Usage.ReasoningTokens
}

type doctor struct {
	c      *Client
	model  parity.Model
	p      *Provider
	key    string
	limit  int
	claims bool
	rep    *DoctorReport
}

// Doctor sends a few tiny requests to a model and reports what works: the
// endpoint is reachable, the key is accepted, the account can pay, the model
// answers and which id it reports, the token-limit field is accepted,
// reasoning comes back and in which field, the thinking switch is honoured,
// a streamed answer ends with usage, and how long it all takes.
//
// Each probe gets opt.Timeout and at most two attempts, so a broken setup
// is reported within seconds. A failure is a check with status fail and
// advice, not an error; a failure of the first request that makes the
// others pointless marks them skipped. Doctor returns an error only when
// nothing could be sent: a malformed or unknown model id, a missing key, or
// ctx ending.
func (c *Client) Doctor(ctx context.Context, modelID string, opt DoctorOptions) (*DoctorReport, error) {
	if opt.Timeout <= 0 {
		opt.Timeout = 30 * time.Second
	}
	if opt.MaxTokens <= 0 {
		opt.MaxTokens = 256
	}
	m, p, err := c.cat.Resolve(modelID)
	if err != nil {
		return nil, err
	}
	key := ""
	if p.KeyEnv != "" {
		key = c.opt.Getenv(p.KeyEnv)
	}
	if key == "" && p.NeedsKey() {
		return nil, parity.Errorf(parity.ErrCredentials,
			"%s: %s is not set: export %s=<your key> to check %s", p.Name, p.KeyEnv, p.KeyEnv, m.ID)
	}
	dopt := c.opt
	dopt.HTTPClient = c.http
	dopt.MaxAttempts = min(dopt.MaxAttempts, 2)
	dopt.MaxRetryWait = min(dopt.MaxRetryWait, 5*time.Second)
	dopt.Deadline = opt.Timeout
	d := &doctor{c: New(c.cat, dopt), model: m, p: p, key: key, limit: opt.MaxTokens,
		rep: &DoctorReport{Model: m.ID, Provider: p.Name}}
	for _, name := range doctorChecks {
		d.rep.Checks = append(d.rep.Checks, Check{Name: name})
	}
	if opt.CatalogClaims {
		d.claims = true
		d.rep.Checks = append(d.rep.Checks, Check{Name: CheckCatalog})
	}
	if err := d.run(ctx); err != nil {
		return nil, err
	}
	return d.rep, nil
}

// send makes one probe. It returns an error only when ctx ended.
func (d *doctor) send(ctx context.Context, p parity.Params) (*probe, error) {
	req := parity.Request{Model: d.model.ID, Messages: []parity.Message{{Role: "user", Content: doctorPrompt}}, Params: p}
	pl, err := d.c.Plan(req)
	if err != nil {
		return nil, err
	}
	if d.rep.Requests == 0 {
		d.rep.URL, d.rep.Request = pl.URL, json.RawMessage(parity.ScrubSecrets(string(pl.JSON)))
	}
	d.rep.Requests++
	comp, err := d.c.Complete(ctx, req)
	if ctx.Err() != nil {
		return nil, ctxError(ctx, d.model.ID)
	}
	pr := &probe{plan: pl, comp: comp, err: err}
	// A server that ignores "stream" answers with one JSON body.
	sse := pl.Stream && !strings.HasPrefix(strings.TrimSpace(comp.Raw), "{")
	pr.fields, pr.usage = inspectRaw(comp.Raw, sse)
	return pr, nil
}

func (d *doctor) run(ctx context.Context) error {
	rep, p := d.rep, d.p
	field := p.TokenLimitField
	if field == "" {
		field = "max_tokens"
	}

	// 1. A plain request: reachable, key, account, model, token limit.
	plain, err := d.send(ctx, parity.Params{MaxTokens: d.limit})
	if err != nil {
		return err
	}
	if plain.err != nil && parity.CodeOf(plain.err) == parity.ErrInvalidRequest &&
		strings.Contains(strings.ToLower(plain.err.Error()), field) {
		other := map[string]string{"max_tokens": "max_completion_tokens", "max_completion_tokens": "max_tokens"}[field]
		advice := fmt.Sprintf("check token_limit_field (max_tokens or max_completion_tokens) for %s in the providers file", p.Name)
		if strings.Contains(strings.ToLower(plain.err.Error()), other) {
			advice = fmt.Sprintf("set token_limit_field: %s for %s in the providers file (--providers)", other, p.Name)
		}
		rep.set(CheckTokenLimit, CheckFail, fmt.Sprintf("%s=%d rejected: %s", field, d.limit, oneLine(plain.err.Error(), 300)), advice)
		d.limit = 0 // go on without a limit, so the other checks still run
		if plain, err = d.send(ctx, parity.Params{}); err != nil {
			return err
		}
	}
	if plain.err != nil {
		d.firstFailure(plain.err)
		rep.skipRest("not checked: the first request failed")
		return nil
	}
	d.firstSuccess(plain, field)

	// 2. Thinking on: reasoning text and its field. A plan identical to the
	// plain one would ask the same thing again, so its answer is reused.
	on := plain
	onPlan, err := d.c.Plan(parity.Request{Model: d.model.ID, Messages: []parity.Message{{Role: "user", Content: doctorPrompt}},
		Params: parity.Params{MaxTokens: d.limit, Thinking: "on"}})
	if err != nil {
		return err
	}
	if !reflect.DeepEqual(onPlan.Body, plain.plan.Body) {
		if on, err = d.send(ctx, parity.Params{MaxTokens: d.limit, Thinking: "on"}); err != nil {
			return err
		}
	}
	d.reasoning(plain, on, onPlan)

	// 3. Thinking off: the switch is honoured when reasoning disappears or
	// shrinks a lot.
	// A refused "on" is reported here too, as a catalog error when the API
	// rejected the switch the catalog sends.
	if err := d.thinkingSwitch(ctx, on); err != nil {
		return err
	}

	// 4. Streaming with include_usage: the final usage chunk and TTFT.
	st, err := d.send(ctx, parity.Params{MaxTokens: d.limit, Stream: true})
	if err != nil {
		return err
	}
	d.streamUsage(st)
	d.latency(plain, on, st)
	if d.claims {
		if err := d.catalogClaims(ctx, plain, on.err != nil); err != nil {
			return err
		}
	}
	rep.skipRest("not checked")
	return nil
}

// claim is one setting the catalog says the model accepts, and where it
// says so.
type claim struct {
	params parity.Params
	field  string // the body field the setting is written to
	fix    string // what to change in a providers file when it is refused
}

// claims lists the settings worth one request each: the lowest temperature
// the catalog lets through, the lowest and highest effort it sends,
// automatic thinking where it has a switch for it.
func (d *doctor) claimList() []claim {
	p, name := d.p, d.model.Name
	r := p.rules(name)
	var out []claim
	where := fmt.Sprintf("for %s (provider %s", name, p.Name)
	if len(p.modelKeys(name)) > 0 {
		where += ", model entries " + strings.Join(p.modelKeys(name), ", ")
	}
	where += ") in a providers file (--providers)"
	if !contains(r.ignores, "temperature") {
		t := r.temperature.lowest()
		out = append(out, claim{params: parity.Params{Temperature: &t}, field: "temperature",
			fix: "set temperature: {min: …, max: …} or add temperature to ignores " + where})
	}
	th := r.thinking
	if th.EffortField != "" {
		var sent []string
		for _, e := range parityEfforts {
			v, ok := e, th.Efforts == nil
			if th.Efforts != nil {
				v, ok = th.Efforts[e]
			}
			if ok && !contains(sent, v) {
				sent = append(sent, v)
				out = append(out, claim{params: parity.Params{Thinking: "on", Effort: e}, field: th.EffortField,
					fix: fmt.Sprintf("remove %s from thinking.efforts (or map it to a value the API takes) %s", e, where)})
			}
		}
		if len(out) > 0 && len(sent) > 2 {
			// The lowest and the highest: the ends are where models differ.
			first := len(out) - len(sent)
			out = append(out[:first+1], out[len(out)-1])
		}
	}
	if th.Auto != nil {
		out = append(out, claim{params: parity.Params{Thinking: "auto"}, field: "thinking (auto)",
			fix: "remove thinking.auto " + where})
	}
	return out
}

// catalogClaims sends one tiny request per claim that changes the body; a
// refusal is a catalog error. Claims that need thinking on are skipped when
// thinking on was itself refused.
func (d *doctor) catalogClaims(ctx context.Context, plain *probe, onFailed bool) error {
	var okd, bad []string
	var advice []string
	for _, cl := range d.claimList() {
		if onFailed && cl.params.Thinking == "on" {
			continue // thinking on itself was refused: reported by the thinking switch
		}
		cl.params.MaxTokens = d.limit
		pl, err := d.c.Plan(parity.Request{Model: d.model.ID, Messages: []parity.Message{{Role: "user", Content: doctorPrompt}}, Params: cl.params})
		if err != nil || reflect.DeepEqual(pl.Body, plain.plan.Body) {
			continue // nothing new would be asked
		}
		value := sentValue(pl.Body, cl.field)
		pr, err := d.send(ctx, cl.params)
		if err != nil {
			return err
		}
		switch code := parity.CodeOf(pr.err); {
		case pr.err == nil:
			okd = append(okd, cl.field+"="+value)
		case code == parity.ErrInvalidRequest || code == parity.ErrNotFound:
			bad = append(bad, fmt.Sprintf("%s=%s refused: %s", cl.field, value, oneLine(pr.err.Error(), 200)))
			advice = append(advice, cl.fix)
		default:
			okd = append(okd, cl.field+"="+value+" not confirmed ("+string(code)+")")
		}
	}
	switch {
	case len(bad) > 0:
		d.rep.set(CheckCatalog, CheckFail, "catalog error: "+strings.Join(bad, "; "), strings.Join(advice, "; "))
	case len(okd) == 0:
		d.rep.set(CheckCatalog, CheckSkipped, "nothing beyond thinking on and off to check: the catalog sends no temperature, effort or automatic thinking for this model", "")
	default:
		d.rep.set(CheckCatalog, CheckOK, "accepted: "+strings.Join(okd, ", "), "")
	}
	return nil
}

// sentValue renders the value a claim wrote, for messages.
func sentValue(body map[string]any, field string) string {
	switch field {
	case "thinking (auto)":
		return "auto"
	}
	b, _ := json.Marshal(getPath(body, field))
	return string(b)
}

// firstFailure turns the failure of the first request into the check it
// concerns, with advice for the provider.
func (d *doctor) firstFailure(err error) {
	rep, p := d.rep, d.p
	msg := oneLine(err.Error(), 400)
	reached := rep.URL + " answered"
	unconfirmed := "not confirmed: the request failed before an answer"
	switch code := parity.CodeOf(err); code {
	case parity.ErrNetwork, parity.ErrTimeout:
		advice := "check the network, any proxy (HTTPS_PROXY) and the base URL; --base-url overrides it"
		if code == parity.ErrTimeout {
			advice = "the endpoint did not answer a tiny request in time: check the base URL, or raise --timeout"
		}
		if p.Origin == "local" {
			advice = "start the server at " + ShownURL(p.URL(d.c.opt.Region)) + ", or point --base-url at where it runs"
		}
		rep.set(CheckReachable, CheckFail, msg, advice)
	case parity.ErrBadResponse:
		rep.set(CheckReachable, CheckFail, msg,
			"the endpoint answered, but not as an OpenAI-compatible API: the base URL should be the API root, usually ending in /v1")
	case parity.ErrCredentials:
		rep.set(CheckReachable, CheckOK, reached, "")
		rep.set(CheckKey, CheckFail, msg, d.keyAdvice())
	case parity.ErrBalance:
		rep.set(CheckReachable, CheckOK, reached, "")
		rep.set(CheckKey, CheckOK, keyName(p)+" accepted (the account was identified)", "")
		rep.set(CheckAccount, CheckFail, msg, fmt.Sprintf("insufficient balance: top up the %s account%s, or use a key with credit", p.Name, docsRef(p)))
	case parity.ErrRateLimit:
		rep.set(CheckReachable, CheckOK, reached, "")
		rep.set(CheckKey, CheckSkipped, unconfirmed, "")
		rep.set(CheckAccount, CheckFail, msg,
			"rate limited on a single tiny request: the key's quota or rate limit is used up; wait, or check the limits of the plan")
	case parity.ErrNotFound:
		rep.set(CheckReachable, CheckOK, reached, "")
		rep.set(CheckKey, CheckSkipped, unconfirmed, "")
		rep.set(CheckModel, CheckFail, msg, d.notFoundAdvice())
	default:
		rep.set(CheckReachable, CheckOK, reached, "")
		rep.set(CheckKey, CheckSkipped, unconfirmed, "")
		rep.set(CheckModel, CheckFail, msg, adviceFor(p, code))
	}
}

// keyAdvice says what to do about a rejected key. Providers with a
// mainland-China endpoint issue keys per region, and a key from one region
// is rejected by the other with a plain 401.
func (d *doctor) keyAdvice() string {
	p := d.p
	base := fmt.Sprintf("check that %s holds a valid, enabled key for %s%s", keyName(p), p.Name, docsRef(p))
	if p.BaseURLCN == "" {
		return base
	}
	if strings.EqualFold(d.c.opt.Region, "cn") {
		return base + fmt.Sprintf("; %s keys are tied to a region: a key from the international console works only without --region cn (%s)", p.Name, p.BaseURL)
	}
	return base + fmt.Sprintf("; %s keys are tied to a region: a key from the mainland-China console works only with --region cn (%s)", p.Name, p.BaseURLCN)
}

// notFoundAdviceByProvider holds what a 404 usually means where it means
// more than a typo.
var notFoundAdviceByProvider = map[string]string{
	"ark": "model not activated or wrong endpoint id (ep-…): activate the model in the Volcengine Ark console " +
		"(Model activation / 开通管理), or create an inference endpoint there and ask for its id, e.g. ark/ep-20250101123456-abcde",
	"dashscope": "check the model name and region: some Qwen models exist only on the mainland-China endpoint (--region cn) or only internationally",
}

func (d *doctor) notFoundAdvice() string {
	if a, ok := notFoundAdviceByProvider[d.p.Name]; ok {
		return a
	}
	if d.p.Origin == "local" {
		return "ask for a model the server serves (GET " + strings.TrimRight(ShownURL(d.p.URL(d.c.opt.Region)), "/") + "/models lists them), and check the base URL ends in /v1"
	}
	return fmt.Sprintf("check the model name against the %s model list%s and that the base URL is the API root", d.p.Name, docsRef(d.p))
}

func docsRef(p *Provider) string {
	if p.Docs == "" {
		return ""
	}
	return " (see " + p.Docs + ")"
}

func (d *doctor) firstSuccess(plain *probe, field string) {
	rep, p, comp := d.rep, d.p, plain.comp
	rep.set(CheckReachable, CheckOK, fmt.Sprintf("%s answered", rep.URL), "")
	switch {
	case d.key != "":
		rep.set(CheckKey, CheckOK, keyName(p)+" accepted", "")
	case p.KeyEnv != "":
		rep.set(CheckKey, CheckOK, fmt.Sprintf("no key sent (%s not set) and none needed", p.KeyEnv), "")
	default:
		rep.set(CheckKey, CheckOK, "no key needed", "")
	}
	rep.set(CheckAccount, CheckOK, "requests accepted", "")

	rep.ModelReported = comp.ModelReported
	rep.LatencyMS = comp.Latency.Milliseconds()
	answer := fmt.Sprintf("; answered %q", oneLine(comp.Content, 40))
	switch got := comp.ModelReported; {
	case got == "":
		rep.set(CheckModel, CheckWarn, "the API reported no model id"+answer,
			"runs will record only the id asked for; nothing to fix unless you need to know the served version")
	case got == d.model.Name:
		rep.set(CheckModel, CheckOK, "reported "+got+answer, "")
	case strings.Contains(got, d.model.Name) || strings.HasPrefix(d.model.Name, "ep-"):
		// A dated snapshot (o4-mini-2025-04-16), a namespaced name, or an
		// Ark endpoint id answered by the model behind it.
		rep.set(CheckModel, CheckOK, fmt.Sprintf("reported %s for %s%s", got, d.model.Name, answer), "")
	default:
		rep.set(CheckModel, CheckWarn, fmt.Sprintf("asked for %s, the API reported %s%s", d.model.Name, got, answer),
			"the endpoint may serve another model under this name (an alias or a proxy); runs record both ids")
	}

	if d.limit == 0 {
		return // the check was already failed
	}
	answerTokens := comp.Usage.CompletionTokens - comp.Usage.ReasoningTokens
	hiddenSplit := comp.Reasoning != "" && comp.Usage.ReasoningTokens == 0
	switch {
	case comp.Usage.CompletionTokens == 0:
		rep.set(CheckTokenLimit, CheckOK, fmt.Sprintf("%s=%d accepted (no usage reported to confirm it is honoured)", field, d.limit), "")
	case !hiddenSplit && answerTokens > d.limit:
		rep.set(CheckTokenLimit, CheckWarn,
			fmt.Sprintf("%s=%d accepted but %d tokens came back: the field seems ignored", field, d.limit, answerTokens),
			fmt.Sprintf("check token_limit_field for %s in the providers file; runs may cost more than --max-tokens suggests", p.Name))
	default:
		rep.set(CheckTokenLimit, CheckOK, fmt.Sprintf("%s=%d accepted; %d completion tokens", field, d.limit, comp.Usage.CompletionTokens), "")
	}
}

func (d *doctor) reasoning(plain, on *probe, onPlan *Plan) {
	rep, p := d.rep, d.p
	src := on
	if on.err != nil {
		src = plain
	}
	if on.err == nil && on.comp.Latency > 0 {
		rep.ThinkingLatencyMS = on.comp.Latency.Milliseconds()
	}
	note := ""
	if warned(onPlan.Warnings, "cannot switch thinking on") {
		note = " (the catalog has no switch to turn thinking on; the model's default applies)"
	}
	comp := src.comp
	switch {
	case comp.Reasoning != "":
		f := usedField(p, src.fields)
		rep.ReasoningField = f
		rep.set(CheckReasoning, CheckOK, fmt.Sprintf("%d chars of reasoning in %s%s", len([]rune(comp.Reasoning)), fieldLabel(f), note), "")
	case len(src.fields) > 0:
		rep.ReasoningField = src.fields[0]
		rep.set(CheckReasoning, CheckWarn,
			fmt.Sprintf("reasoning came back in %s, which the catalog does not read for %s (it reads %s)",
				fieldLabel(src.fields[0]), p.Name, strings.Join(readFields(p), ", ")),
			fmt.Sprintf("add %s to reasoning_fields of %s in the providers file (--providers)", src.fields[0], p.Name))
	case comp.Usage.ReasoningTokens > 0:
		rep.set(CheckReasoning, CheckOK,
			fmt.Sprintf("no reasoning text, but %d reasoning tokens counted: the API keeps reasoning hidden%s", comp.Usage.ReasoningTokens, note), "")
	case on.err != nil:
		rep.set(CheckReasoning, CheckSkipped, "not checked: the request with thinking on failed", "")
	default:
		rep.set(CheckReasoning, CheckWarn, "no reasoning came back with thinking on"+note,
			fmt.Sprintf("%s may not be a reasoning model, or thinking is switched on differently: check thinking for %s in the providers file", d.model.Name, p.Name))
	}
}

func (d *doctor) thinkingSwitch(ctx context.Context, on *probe) error {
	rep, p := d.rep, d.p
	fix := fmt.Sprintf("check thinking (enable/disable) for %s in the providers file (--providers)", p.Name)
	if on.err != nil {
		d.switchFailed("on", on.err, p.rules(d.model.Name).thinking.Enable, fix,
			fmt.Sprintf("correct thinking.enable for %s in a providers file (--providers); for a model that always thinks use thinking: {style: none, enable: {}}", d.model.Name))
		return nil
	}
	offReq := parity.Params{MaxTokens: d.limit, Thinking: "off"}
	offPlan, err := d.c.Plan(parity.Request{Model: d.model.ID, Messages: []parity.Message{{Role: "user", Content: doctorPrompt}}, Params: offReq})
	if err != nil {
		return err
	}
	if warned(offPlan.Warnings, "cannot switch thinking off") {
		rep.set(CheckThinkingSwitch, CheckSkipped,
			fmt.Sprintf("not tested: the catalog has no switch to turn thinking off for %s", d.model.Name), "")
		return nil
	}
	off, err := d.send(ctx, offReq)
	if err != nil {
		return err
	}
	if off.err != nil {
		d.switchFailed("off", off.err, p.rules(d.model.Name).thinking.Disable, fix,
			fmt.Sprintf("if %s cannot stop thinking, remove thinking.disable for it (a model entry with thinking: {style: none, enable: {}}) in a providers file (--providers); otherwise correct thinking.disable", d.model.Name))
		return nil
	}
	nOn, nOff := on.size(), off.size()
	switch {
	case nOn == 0 && nOff == 0:
		rep.set(CheckThinkingSwitch, CheckWarn, "no reasoning with thinking on or off: cannot tell whether the switch works",
			fmt.Sprintf("%s may not be a reasoning model; if it is, %s", d.model.Name, fix))
	case nOn > 0 && nOff == 0:
		rep.set(CheckThinkingSwitch, CheckOK, fmt.Sprintf("reasoning with thinking on (%d chars), none with it off", nOn), "")
	case nOff*4 <= nOn:
		rep.set(CheckThinkingSwitch, CheckOK, fmt.Sprintf("reasoning much shorter with thinking off (%d vs %d chars)", nOff, nOn), "")
	default:
		rep.set(CheckThinkingSwitch, CheckWarn,
			fmt.Sprintf("reasoning came back with thinking off as well (%d chars off, %d on): the switch seems ignored", nOff, nOn),
			"--thinking off may not save tokens for this model; "+fix)
	}
	return nil
}

// switchFailed fails the thinking-switch check after the request with
// thinking on or off (side) failed. When the API refused the body, the
// fragment the catalog sent (sent) is at fault, and catalogFix replaces
// the general fix.
func (d *doctor) switchFailed(side string, err error, sent any, fix, catalogFix string) {
	detail := "the request with thinking " + side + " failed: " + oneLine(err.Error(), 300)
	if parity.CodeOf(err) == parity.ErrInvalidRequest {
		frag, _ := json.Marshal(sent)
		detail = fmt.Sprintf("catalog error: the API refused thinking %s as the catalog sends it (%s): %s", side, frag, oneLine(err.Error(), 300))
		fix = catalogFix
	}
	d.rep.set(CheckThinkingSwitch, CheckFail, detail, fix)
}

func (d *doctor) streamUsage(st *probe) {
	rep := d.rep
	if st.err != nil {
		rep.set(CheckStreamUsage, CheckFail, "the streamed request failed: "+oneLine(st.err.Error(), 300),
			"run without --stream, or fix the endpoint's streaming")
		return
	}
	rep.TTFTMS = st.comp.TTFT.Milliseconds()
	u := st.comp.Usage
	if !st.usage || u.PromptTokens+u.CompletionTokens == 0 {
		rep.set(CheckStreamUsage, CheckWarn, "the stream ended without a usage chunk (stream_options.include_usage was sent)",
			"streamed runs will have no token counts or cost: run without --stream, or enable usage reporting on the server")
		return
	}
	rep.set(CheckStreamUsage, CheckOK, fmt.Sprintf("usage in the final chunk: %d prompt + %d completion tokens", u.PromptTokens, u.CompletionTokens), "")
}

func (d *doctor) latency(plain, on, st *probe) {
	parts := []string{"plain " + roundDur(plain.comp.Latency)}
	if on != plain && on.err == nil {
		parts = append(parts, "thinking on "+roundDur(on.comp.Latency))
	}
	if st.err == nil && st.comp.TTFT > 0 {
		parts = append(parts, "first streamed token "+roundDur(st.comp.TTFT))
	}
	detail := strings.Join(parts, ", ")
	if plain.comp.Latency > slowProbe {
		d.rep.set(CheckLatency, CheckWarn, detail+": slow for a tiny request",
			"expect long runs; raise --timeout for long answers, or pick a faster endpoint or region")
		return
	}
	d.rep.set(CheckLatency, CheckOK, detail, "")
}

func roundDur(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return d.Round(100 * time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(time.Millisecond).String()
	}
	return d.String()
}

func warned(warnings []string, what string) bool {
	for _, w := range warnings {
		if strings.Contains(w, what) {
			return true
		}
	}
	return false
}

// usedField is the field the client read reasoning from: the first the
// catalog lists among those that came back.
func usedField(p *Provider, seen []string) string {
	for _, f := range readFields(p) {
		if contains(seen, f) {
			return f
		}
	}
	if len(seen) > 0 {
		return seen[0]
	}
	return ""
}

func fieldLabel(f string) string {
	if f == "think" {
		return "inline <think> tags"
	}
	if f == "content_blocks" {
		return "thinking blocks of the content list"
	}
	return f
}

func readFields(p *Provider) []string {
	if len(p.ReasoningFields) > 0 {
		return p.ReasoningFields
	}
	return reasoningFields
}

// inspectRaw finds, in a raw answer (JSON body or assembled SSE stream),
// which fields carried reasoning text, whether the catalog reads them or
// not, and whether a usage object came back.
func inspectRaw(raw string, stream bool) (fields []string, usage bool) {
	type msg struct {
		Content          contentJSON     `json:"content"`
		ReasoningContent string          `json:"reasoning_content"`
		Reasoning        json.RawMessage `json:"reasoning"`
	}
	var content, rc, rsn, blk strings.Builder
	add := func(m msg) {
		text, thought := m.Content.split(defaultContentBlocks)
		content.WriteString(text)
		blk.WriteString(thought)
		rc.WriteString(m.ReasoningContent)
		rsn.WriteString(rawString(m.Reasoning))
	}
	hasUsage := func(u json.RawMessage) bool {
		s := strings.TrimSpace(string(u))
		return s != "" && s != "null" && s != "{}"
	}
	if stream {
		for _, line := range strings.Split(raw, "\n") {
			payload, ok := strings.CutPrefix(line, "data:")
			payload = strings.TrimSpace(payload)
			if !ok || payload == "" || payload == "[DONE]" {
				continue
			}
			var ev struct {
				Choices []struct {
					Delta msg `json:"delta"`
				} `json:"choices"`
				Usage json.RawMessage `json:"usage"`
			}
			if json.Unmarshal([]byte(payload), &ev) != nil {
				continue
			}
			for _, ch := range ev.Choices {
				add(ch.Delta)
			}
			usage = usage || hasUsage(ev.Usage)
		}
	} else {
		var body struct {
			Choices []struct {
				Message msg `json:"message"`
			} `json:"choices"`
			Usage json.RawMessage `json:"usage"`
		}
		if json.Unmarshal([]byte(raw), &body) == nil {
			if len(body.Choices) > 0 {
				add(body.Choices[0].Message)
			}
			usage = hasUsage(body.Usage)
		}
	}
	if strings.TrimSpace(rc.String()) != "" {
		fields = append(fields, "reasoning_content")
	}
	if strings.TrimSpace(rsn.String()) != "" {
		fields = append(fields, "reasoning")
	}
	if _, think := splitThink(content.String()); think != "" {
		fields = append(fields, "think")
	}
	if strings.TrimSpace(blk.String()) != "" {
		fields = append(fields, "content_blocks")
	}
	return fields, usage
}
