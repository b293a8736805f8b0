package connect

import (
	"context"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Backoff for calls that are safe to repeat (analysis, catalog reads):
// 3 attempts, 200 ms then 800 ms apart.
var retryDelays = []time.Duration{200 * time.Millisecond, 800 * time.Millisecond}

// retry runs fn again while it fails with UNAVAILABLE, the one code that
// means the request never reached a server that could act on it. It never
// retries a statement run: those may have side effects.
func retry(ctx context.Context, fn func(context.Context) error) error {
	for attempt := 0; ; attempt++ {
		err := fn(ctx)
		if err == nil || attempt >= len(retryDelays) || status.Code(err) != codes.Unavailable {
			return err
		}
		if Wait(ctx, retryDelays[attempt]) != nil {
			return err
		}
	}
}
