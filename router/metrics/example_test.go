package metrics_test

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"

	"github.com/autobahn-go/autobahn/router"
	"github.com/autobahn-go/autobahn/router/metrics"
)

// Serve a router's metrics at /metrics of an HTTP server of your own:
// mux.Handle("/metrics", metrics.Handler(r)). Here the handler is asked
// directly, as Prometheus would.
func ExampleHandler() {
	r, err := router.New(router.Options{Realms: []string{"realm1"}})
	if err != nil {
		panic(err)
	}
	defer r.Close(context.Background())

	rec := httptest.NewRecorder()
	metrics.Handler(r).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, line := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(line, "autobahn_sessions{") || strings.HasPrefix(line, "autobahn_calls_in_flight ") {
			fmt.Println(line)
		}
	}
	// Output:
	// autobahn_calls_in_flight 0
	// autobahn_sessions{realm="realm1"} 0
}
