package main

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/providers"
	"github.com/parity-bench/parity/runners"
)

// parseShard reads --shard INDEX/COUNT; empty means the whole run.
func parseShard(s string) (index, count int, err error) {
	if s == "" {
		return 0, 0, nil
	}
	a, b, ok := strings.Cut(strings.TrimSpace(s), "/")
	index, err1 := strconv.Atoi(a)
	count, err2 := strconv.Atoi(b)
	switch {
	case !ok || err1 != nil || err2 != nil:
		return 0, 0, usagef("--shard %q is not valid: write INDEX/COUNT, e.g. --shard 1/4 on the first of four machines", s)
	case count < 2:
		return 0, 0, usagef("--shard %q: split into two shards or more, or leave --shard out to run everything here", s)
	case index < 1 || index > count:
		return 0, 0, usagef("--shard %q: number shards from 1 to %d", s, count)
	}
	return index, count, nil
}

// checkRegion refuses a --region other than "cn", the only region the
// catalog knows, rather than silently using the default endpoint.
func checkRegion(region string) error {
	if region != "" && !strings.EqualFold(region, "cn") {
		return usagef("--region %q is not valid: use cn for the mainland-China endpoint, or leave it out", region)
	}
	return nil
}

// parseReplicaCaps reads --replica-concurrency: one cap for every replica,
// or one per URL of the --base-url list, in its order.
func parseReplicaCaps(spec, baseURLs string) (int, map[string]int, error) {
	if strings.TrimSpace(spec) == "" {
		return 0, nil, nil
	}
	if urls := splitURLs(baseURLs); len(urls) == 1 {
		return 0, nil, usagef("--replica-concurrency caps each replica of a --base-url pool, and %s is one endpoint: cap it with --concurrency, or list the replicas URL1,URL2,...", urls[0])
	}
	var caps []int
	for _, v := range strings.Split(spec, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 0 {
			return 0, nil, usagef("--replica-concurrency %q is not valid: give a count (0 = no cap), or one per --base-url URL, e.g. 32,32,8", spec)
		}
		caps = append(caps, n)
	}
	if len(caps) == 1 {
		return caps[0], nil, nil
	}
	urls := splitURLs(baseURLs)
	if len(urls) != len(caps) {
		return 0, nil, usagef("--replica-concurrency gives %d caps for %d --base-url URLs: give one per URL, or one for all", len(caps), len(urls))
	}
	m := make(map[string]int, len(urls))
	for i, u := range urls {
		m[u] = caps[i]
	}
	return 0, m, nil
}

// splitURLs splits a --base-url list.
func splitURLs(list string) []string {
	var urls []string
	for _, u := range strings.Split(list, ",") {
		if u = strings.TrimSpace(u); u != "" {
			urls = append(urls, u)
		}
	}
	return urls
}

// addEndpoints points provider prov at --base-url: one endpoint, or a pool
// of replicas written URL1,URL2,... that the client spreads requests over.
func addEndpoints(cat *providers.Catalog, prov, list, keyEnv string) error {
	urls := splitURLs(list)
	if len(urls) == 0 {
		return usagef("--base-url %q names no URL: give one, or several separated by commas", list)
	}
	var p *providers.Provider
	for i, u := range urls {
		if slices.Contains(urls[:i], u) {
			return usagef("--base-url lists %s twice: give each replica once", providers.ShownURL(u))
		}
		// parity appends /chat/completions itself; the full endpoint
		// would be asked for at .../chat/completions/chat/completions.
		if base, query, _ := strings.Cut(u, "?"); strings.HasSuffix(strings.TrimRight(base, "/"), "/chat/completions") {
			trimmed := strings.TrimSuffix(strings.TrimRight(base, "/"), "/chat/completions")
			if query != "" {
				trimmed += "?" + query
			}
			return usagef("--base-url %s names the chat endpoint: give its base, %s (parity adds /chat/completions)", providers.ShownURL(u), providers.ShownURL(trimmed))
		}
		var err error
		// Each URL is checked as an endpoint of its own; the last call
		// leaves the provider, which then takes the whole list.
		if p, err = cat.AddEndpoint(prov, u, keyEnv); err != nil {
			return &parity.Error{Code: parity.ErrUsage, Message: "--base-url", Err: err}
		}
	}
	if len(urls) > 1 {
		p.BaseURL, p.BaseURLs = urls[0], urls
	}
	return nil
}

// addRequestFlags declares the flags of how requests are sent that the
// commands running suites of their own (canary, probe) share with run.
func (o *runOptions) addRequestFlags(f *pflag.FlagSet) {
	f.IntVar(&o.concurrency, "concurrency", runners.DefaultConcurrency, "requests in flight at once, across all models")
	f.IntVar(&o.maxTokens, "max-tokens", 0, "output token limit per answer (0 = provider default)")
	f.StringVar(&o.baseURL, "base-url", "", "send the models' provider requests to this endpoint (or URL1,URL2,... a pool)")
	f.StringVar(&o.apiKeyEnv, "api-key-env", "", "environment variable holding the key for --base-url")
	f.IntVar(&o.attempts, "attempts", 5, "tries per request, the first included")
	f.DurationVar(&o.timeout, "timeout", 20*time.Minute, "deadline per request, retries included")
}
