package status_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/autobahn-go/autobahn/router"
	"github.com/autobahn-go/autobahn/router/status"
)

// Mount a router's status page on an HTTP server of your own:
// mux.Handle("/status", status.NewHandler(r, status.Options{})). Browsers
// get HTML; scripts add ?format=json.
func ExampleNewHandler() {
	r, err := router.New(router.Options{Realms: []string{"realm1"}})
	if err != nil {
		panic(err)
	}
	defer r.Close(context.Background())
	h := status.NewHandler(r, status.Options{})

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/status?format=json", nil))
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"))
	st := h.Status()
	fmt.Println(st.Realms[0].Name, st.Totals.Sessions)
	// Output:
	// 200 application/json
	// realm1 0
}
