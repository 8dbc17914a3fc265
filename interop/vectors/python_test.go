package vectors

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
)

// python is the interpreter with Autobahn|Python and its serializer
// libraries (Debian packages, see /work/shared/INTEROP.md): another python3
// earlier on PATH may lack them.
const python = "/usr/bin/python3"

// envInterop, when "1", makes a missing Autobahn|Python a test failure
// instead of a skip (CI sets it).
const envInterop = "AUTOBAHN_INTEROP"

// pythonTimeout bounds every Python process a test starts.
const pythonTimeout = 60 * time.Second

var (
	probeOnce    sync.Once
	probeProblem string
)

// needPython skips the test when Autobahn|Python cannot be imported, or
// fails it when AUTOBAHN_INTEROP=1.
func needPython(t *testing.T) {
	t.Helper()
	probeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), pythonTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, python, "-c",
			"import txaio; txaio.use_twisted(); import autobahn, autobahn.wamp.serializer, cbor2, msgpack, ubjson, nacl")
		if out, err := cmd.CombinedOutput(); err != nil {
			probeProblem = fmt.Sprintf("%s cannot import Autobahn|Python and its serializers: %v\n%s", python, err, out)
		}
	})
	if probeProblem == "" {
		return
	}
	if os.Getenv(envInterop) == "1" {
		t.Fatalf("%s=1 but %s", envInterop, probeProblem)
	}
	t.Skipf("%s (set %s=1 to make this a failure)", probeProblem, envInterop)
}

// helperRequest and helperResponse are the lines exchanged with
// testdata/decode_go.py.
type helperRequest struct {
	ID         int      `json:"id"`
	Serializer string   `json:"serializer"`
	Names      []string `json:"names"`
	Hex        string   `json:"hex"`
}

type helperResponse struct {
	ID    int    `json:"id"`
	OK    bool   `json:"ok"`
	Error string `json:"error"`
	// Ready and Autobahn are set in the helper's first line only.
	Ready    bool   `json:"ready"`
	Autobahn string `json:"autobahn"`
}

// TestPythonDecodesGo serializes every vector message with every Go
// serializer and has Autobahn|Python unserialize the bytes: each must give
// the expected message, types included. Each batched serializer also sends
// one batch holding all vector messages.
func TestPythonDecodesGo(t *testing.T) {
	needPython(t)
	vf := loadVectors(t)

	sers := lookupSerializers(t)

	var reqs []helperRequest
	what := map[int]string{}
	batches := map[string]*helperRequest{}
	for _, name := range serializerNames {
		if sers[name] != nil && sers[name].Batched() {
			batches[name] = &helperRequest{Serializer: name}
		}
	}
	for _, v := range vf.Vectors {
		msg, err := core.ParseMessage(v.list)
		if err != nil {
			t.Errorf("vector %s: ParseMessage: %v", v.Name, err)
			continue
		}
		for _, name := range serializerNames {
			if sers[name] == nil {
				continue
			}
			data, err := sers[name].Serialize(msg)
			if err != nil {
				t.Errorf("vector %s: %s: Serialize(%T): %v", v.Name, name, msg, err)
				continue
			}
			id := len(reqs) + 1
			reqs = append(reqs, helperRequest{ID: id, Serializer: name, Names: []string{v.Name}, Hex: hex.EncodeToString(data)})
			what[id] = fmt.Sprintf("vector %s, serializer %s, Go bytes %s", v.Name, name, shorten(describeBytes(data, sers[name].Binary())))
			if b := batches[name]; b != nil {
				b.Names = append(b.Names, v.Name)
				b.Hex += hex.EncodeToString(data)
			}
		}
	}
	for _, name := range serializerNames {
		if b := batches[name]; b != nil && len(b.Names) > 0 {
			b.ID = len(reqs) + 1
			reqs = append(reqs, *b)
			what[b.ID] = fmt.Sprintf("batch of %d messages, serializer %s", len(b.Names), name)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), pythonTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "testdata/decode_go.py", vectorsFile)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the Autobahn helper: %v", err)
	}
	done := false
	defer func() {
		if !done {
			stdin.Close()
			cancel()
			_ = cmd.Wait()
		}
	}()

	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	if !sc.Scan() {
		_ = cmd.Wait()
		done = true
		t.Fatalf("the Autobahn helper exited before it was ready: %v\n%s", sc.Err(), stderr.String())
	}
	var ready helperResponse
	if err := json.Unmarshal(sc.Bytes(), &ready); err != nil || !ready.Ready {
		t.Fatalf("the Autobahn helper's first line is %q, want a ready line (%v)", sc.Text(), err)
	}

	// Write from another goroutine: the helper answers while it reads, and
	// neither side may block the other on a full pipe.
	writeErr := make(chan error, 1)
	go func() {
		enc := json.NewEncoder(stdin)
		for i := range reqs {
			if err := enc.Encode(&reqs[i]); err != nil {
				stdin.Close()
				writeErr <- fmt.Errorf("write request %d: %w", reqs[i].ID, err)
				return
			}
		}
		writeErr <- stdin.Close()
	}()

	answered := map[int]bool{}
	failures := 0
	for sc.Scan() {
		var resp helperResponse
		if err := json.Unmarshal(sc.Bytes(), &resp); err != nil {
			t.Fatalf("the Autobahn helper wrote %q: %v", sc.Text(), err)
		}
		desc, known := what[resp.ID]
		switch {
		case !known:
			t.Errorf("the Autobahn helper answered unknown request %d", resp.ID)
		case answered[resp.ID]:
			t.Errorf("the Autobahn helper answered request %d twice", resp.ID)
		case !resp.OK:
			failures++
			t.Errorf("%s:\n  %s", desc, resp.Error)
		}
		answered[resp.ID] = true
	}
	if err := sc.Err(); err != nil {
		t.Errorf("read from the Autobahn helper: %v", err)
	}
	if err := <-writeErr; err != nil {
		t.Errorf("%v", err)
	}
	err = cmd.Wait()
	done = true
	if err != nil {
		t.Errorf("the Autobahn helper failed: %v\n%s", err, stderr.String())
	}
	for _, r := range reqs {
		if !answered[r.ID] {
			t.Errorf("no answer for %s", what[r.ID])
		}
	}
	t.Logf("Autobahn|Python %s checked %d encodings made by Go (%d failed)", ready.Autobahn, len(reqs), failures)
}

// TestVectorsUpToDate regenerates the vectors with the installed
// Autobahn|Python and compares them with testdata/vectors.json, so that a
// change in the generator or in Autobahn's output does not go unnoticed.
func TestVectorsUpToDate(t *testing.T) {
	needPython(t)
	ctx, cancel := context.WithTimeout(context.Background(), pythonTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "testdata/gen_vectors.py")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("regenerate the vectors: %v\n%s", err, stderr.String())
	}
	want, err := os.ReadFile(vectorsFile)
	if err != nil {
		t.Fatal(err)
	}
	// The generator section records interpreter and library versions; only
	// the data must match.
	var fresh, stored map[string]json.RawMessage
	if err := json.Unmarshal(out, &fresh); err != nil {
		t.Fatalf("regenerated vectors: %v", err)
	}
	if err := json.Unmarshal(want, &stored); err != nil {
		t.Fatalf("%s: %v", vectorsFile, err)
	}
	delete(fresh, "generator")
	delete(stored, "generator")
	for _, key := range slices.Sorted(maps.Keys(fresh)) {
		if !bytes.Equal(fresh[key], stored[key]) {
			t.Errorf("%s is stale (section %q differs): regenerate it with `go generate` in interop/vectors (see README.md)", vectorsFile, key)
		}
	}
	if len(fresh) != len(stored) {
		t.Errorf("%s has sections %v, the generator writes %v", vectorsFile, slices.Sorted(maps.Keys(stored)), slices.Sorted(maps.Keys(fresh)))
	}
}

func shorten(s string) string {
	if len(s) > 400 {
		return s[:400] + "…"
	}
	return s
}
