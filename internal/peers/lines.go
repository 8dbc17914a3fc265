package peers

import (
	"bufio"
	"encoding/json"
	"io"
)

// Line is one line of a peer script's output (see the package doc).
type Line struct {
	S     string          `json:"s"`
	K     *string         `json:"k"`
	V     json.RawMessage `json:"v"`
	Fail  *string         `json:"fail"`
	Done  bool            `json:"done"`
	End   bool            `json:"end"`
	Fatal *string         `json:"fatal"`
}

// ReadLines reads a peer's output until r ends. It handles the end and
// fatal lines itself and hands every scenario's line, with its text as
// printed, to each, which returns what is wrong with it ("" for nothing).
// ended reports whether the end line came; problems are the fatal and
// unparsable lines and what each returned. Batch.Run reads a finished
// process with it; a test that talks to its peer while it runs reads the
// process's stdout pipe with it.
func ReadLines(r io.Reader, each func(l Line, text string) (problem string)) (ended bool, problems []string) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var l Line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			problems = append(problems, "unparsable line: "+sc.Text())
			continue
		}
		switch {
		case l.End:
			ended = true
		case l.Fatal != nil:
			problems = append(problems, "fatal: "+*l.Fatal)
		default:
			if p := each(l, sc.Text()); p != "" {
				problems = append(problems, p)
			}
		}
	}
	return ended, problems
}
