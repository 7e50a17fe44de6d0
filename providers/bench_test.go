package providers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/providers"
	"github.com/parity-bench/parity/providers/providertest"
)

// BenchmarkClientComplete measures the whole client path (planning and
// encoding the body, HTTP, buffering, decoding, reasoning extraction) against the fake
// server at zero latency, with requests in parallel as the runner sends them.
func BenchmarkClientComplete(b *testing.B) {
	for _, stream := range []bool{false, true} {
		name := "json"
		if stream {
			name = "stream"
		}
		b.Run(name, func(b *testing.B) {
			srv := providertest.New(b, providertest.Options{NoRecord: true})
			cat, err := providers.Builtin()
			if err != nil {
				b.Fatal(err)
			}
			if _, err := cat.AddEndpoint("deepseek", srv.BaseURL(), ""); err != nil {
				b.Fatal(err)
			}
			c := providers.New(cat, providers.Options{Getenv: func(string) string { return "sk-bench-key-000000" }})
			req := parity.Request{Model: "deepseek/deepseek-flash", Params: parity.Params{Stream: stream, MaxTokens: 256, Temperature: new(float64)},
				Messages: []parity.Message{{Role: "user", Content: "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether in April and May?"}}}
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := c.Complete(context.Background(), req); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
		})
	}
}

// BenchmarkMock measures the offline mock provider, which never touches
// the network.
func BenchmarkMock(b *testing.B) {
	cat, err := providers.Builtin()
	if err != nil {
		b.Fatal(err)
	}
	c := providers.New(cat, providers.Options{Answers: func(parity.ItemRef) (string, string, bool) { return "42", "number", true }})
	req := parity.Request{Model: "mock/oracle", Messages: []parity.Message{{Role: "user", Content: "q"}},
		Ref: parity.ItemRef{Suite: "s", ItemID: "x"}}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := c.Complete(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLargeAnswer measures the memory one 8 MiB answer costs the
// client: B/op over the answer's size is how many copies of it are made.
func BenchmarkLargeAnswer(b *testing.B) {
	const size = 8 << 20
	for _, stream := range []bool{false, true} {
		name := "json"
		if stream {
			name = "stream"
		}
		b.Run(name, func(b *testing.B) {
			text := strings.Repeat("x", size)
			srv := providertest.New(b, providertest.Options{NoRecord: true, ChunkSize: 64 << 10,
				Answer: func(providertest.ChatRequest) providertest.Reply { return providertest.Reply{Content: text} }})
			cat, err := providers.Builtin()
			if err != nil {
				b.Fatal(err)
			}
			if _, err := cat.AddEndpoint("vllm", srv.BaseURL(), ""); err != nil {
				b.Fatal(err)
			}
			c := providers.New(cat, providers.Options{})
			req := parity.Request{Model: "vllm/m", Params: parity.Params{Stream: stream}, Messages: []parity.Message{{Role: "user", Content: "q"}}}
			b.ReportAllocs()
			for b.Loop() {
				comp, err := c.Complete(context.Background(), req)
				if err != nil || len(comp.Content) != size {
					b.Fatal(err, len(comp.Content))
				}
			}
		})
	}
}
