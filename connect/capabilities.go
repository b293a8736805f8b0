package connect

import (
	"context"
	"time"

	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sparkls/sparkls/connect/internal/pb"
	"github.com/sparkls/sparkls/internal/sparkversion"
)

// Capabilities is what a server has shown it can do, learned from its own
// answers rather than assumed from its version where the protocol allows:
// an RPC that answered UNIMPLEMENTED once is remembered as missing.
type Capabilities struct {
	// Version is the Spark version the server reported first.
	Version string
	// ErrorDetails: the server has FetchErrorDetails (Spark 4.0+). Without
	// it errors have no SQLSTATE and their class and position come from the
	// message.
	ErrorDetails bool
	// Progress: the server streams ExecutionProgress while a job runs. No
	// RPC tells this; it came with 4.0, so it is the one capability read
	// from the version.
	Progress bool
	// ReleaseSession: the server has ReleaseSession (4.0+), as far as the
	// client knows (it is not probed: asking would end the session). Once it
	// answered UNIMPLEMENTED, Close interrupts the session's operations instead.
	ReleaseSession bool
	// Status: the server has GetStatus (4.2+), probed like
	// FetchErrorDetails; without it sparkls/queries lists only the runs
	// sparkls knows, without the server's word on their state.
	Status bool
	// CloneSession: the server has CloneSession (4.1+), as far as the client
	// knows (it is not probed: asking makes a session); without it analysis
	// shares the user's session.
	CloneSession bool
}

// Lacks says in words what the server lacks that sparkls would use, or
// nothing for a server that has it all.
func (cp Capabilities) Lacks() []string {
	var out []string
	if !cp.Progress {
		out = append(out, "no progress counts (the server streams no execution progress)")
	}
	if !cp.ErrorDetails {
		out = append(out, "no error-detail RPC (errors have no SQLSTATE; positions come from the message)")
	}
	if !cp.Status {
		out = append(out, "no operation-status RPC (the running queries are those sparkls started, not the server's word)")
	}
	if !cp.CloneSession {
		out = append(out, "no session cloning (analysis shares the session of your runs)")
	}
	return out
}

// Capabilities asks the server what it can do, once per client: its
// version (cached since Dial), whether it has FetchErrorDetails, probed
// with an unknown error id (4.0+ answers with nothing, 3.5 UNIMPLEMENTED),
// and whether it has GetStatus, probed by asking it (4.2+).
func (c *Client) Capabilities(ctx context.Context) Capabilities {
	v, _ := c.SparkVersion(ctx)
	if _, done := c.unimplemented("GetStatus"); !done {
		pctx, cancel := context.WithTimeout(ctx, min(c.opts.CallTimeout, 10*time.Second))
		_, _ = c.Operations(pctx) // remembers what the answer said of the RPC
		cancel()
	}
	if _, done := c.unimplemented("FetchErrorDetails"); !done {
		pctx, cancel := context.WithTimeout(ctx, min(c.opts.CallTimeout, 10*time.Second))
		_, err := c.rpc.FetchErrorDetails(pctx, &pb.FetchErrorDetailsRequest{
			SessionId: c.SessionID(), UserContext: c.userContext(), ErrorId: uuid.NewString(), ClientType: &c.clientType,
		})
		cancel()
		// Any other failure says nothing about the RPC: ask again next time.
		if err == nil || status.Code(err) == codes.Unimplemented {
			c.remember("FetchErrorDetails", err)
		}
	}
	missingDetails, _ := c.unimplemented("FetchErrorDetails")
	missingRelease, _ := c.unimplemented("ReleaseSession")
	missingStatus, _ := c.unimplemented("GetStatus")
	missingClone, _ := c.unimplemented("CloneSession")
	return Capabilities{
		Version:        v,
		ErrorDetails:   !missingDetails,
		Progress:       v == "" || sparkversion.Compare(v, "4.0") >= 0,
		ReleaseSession: !missingRelease,
		Status:         !missingStatus,
		CloneSession:   !missingClone,
	}
}

// remember records what a call of an RPC said about its existence: only
// UNIMPLEMENTED means missing.
func (c *Client) remember(rpc string, err error) {
	if c.parent != nil {
		c = c.parent // one server, one record
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rpcs == nil {
		c.rpcs = map[string]bool{}
	}
	c.rpcs[rpc] = status.Code(err) == codes.Unimplemented
}

// unimplemented tells whether rpc answered UNIMPLEMENTED, and whether the
// client knows at all.
func (c *Client) unimplemented(rpc string) (missing, known bool) {
	if c.parent != nil {
		c = c.parent
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	missing, known = c.rpcs[rpc]
	return missing, known
}
