package connect

import (
	"context"
	"fmt"

	"github.com/sparkls/sparkls/connect/localspark"
)

// EnsureLocal resolves remote "local" to the server that `sparkls server`
// manages (package localspark: its record in the user's cache directory
// names the port, else 15002) and returns r with that port. When nothing
// answers there it starts that server, if pyspark is installed in the
// cache and the user did not stop it, with the binary's own code: nothing
// from the working directory or a workspace is ever run. Other remotes are returned unchanged.
func EnsureLocal(ctx context.Context, r Remote, progress func(string)) (Remote, error) {
	if !r.Local {
		return r, nil
	}
	st, err := localspark.Status(localspark.Options{})
	if err != nil {
		return r, err
	}
	r.Port = st.Port
	if localspark.Listening(r.Address()) {
		return r, nil
	}
	if progress != nil {
		progress(fmt.Sprintf("no Spark Connect server answers on %s; starting the local one (sparkls server start)", r.Address()))
	}
	st, err = localspark.Start(ctx, localspark.Options{Port: r.Port, Progress: progress, Auto: true})
	if err != nil {
		return r, fmt.Errorf("start the local Spark Connect server: %w", err)
	}
	r.Port = st.Port
	return r, nil
}
