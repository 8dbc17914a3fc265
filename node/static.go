package node

import (
	"fmt"
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// defaultCacheTimeout is Crossbar.io's cache_timeout of static files.
const defaultCacheTimeout = 12 * time.Hour

// static reads a web path of type "static": a directory (relative to the
// configuration's directory) and its options. Crossbar.io's other source,
// a Python package's resource, is refused.
func (l *loader) static(p obj) (*StaticService, error) {
	err := p.check(schema{known: []string{"type", "id", "directory", "options"}, refused: map[string]string{
		"package":  "Python package resources are not supported: give a \"directory\"",
		"resource": "Python package resources are not supported: give a \"directory\"",
	}})
	if err != nil {
		return nil, err
	}
	if _, _, err := p.str("id"); err != nil {
		return nil, err
	}
	dir, err := p.mustStr("directory")
	if err != nil {
		return nil, err
	}
	s := &StaticService{Directory: l.abs(dir), CacheTimeout: defaultCacheTimeout}
	if fi, err := os.Stat(s.Directory); err != nil {
		return nil, wrapErr(child(p.path, "directory"), err)
	} else if !fi.IsDir() {
		return nil, errorf(child(p.path, "directory"), "%s is not a directory", s.Directory)
	}
	return s, staticOptions(p, s)
}

// staticOptions reads a static service's "options".
func staticOptions(p obj, s *StaticService) error {
	o, ok, err := p.object("options")
	if err != nil || !ok {
		return err
	}
	if err := o.check(schema{known: []string{"enable_directory_listing", "mime_types", "cache_timeout", "default_file"}}); err != nil {
		return err
	}
	if s.Listing, err = o.boolean("enable_directory_listing", false); err != nil {
		return err
	}
	if v, ok := o.m["cache_timeout"]; ok {
		s.CacheTimeout = -1
		if v != nil {
			n, err := asInt(child(o.path, "cache_timeout"), v, 0, 1<<40)
			if err != nil {
				return err
			}
			s.CacheTimeout = time.Duration(n) * time.Second
		}
	}
	if s.DefaultFile, _, err = o.str("default_file"); err != nil {
		return err
	}
	types, ok, err := o.object("mime_types")
	if err != nil || !ok {
		return err
	}
	s.MIMETypes = make(map[string]string, len(types.m))
	for _, ext := range sortedKeys(types.m) {
		if s.MIMETypes[ext], _, err = types.str(ext); err != nil {
			return err
		}
	}
	return nil
}

// staticHandler serves a StaticService below prefix ("" for the root
// route, "/name" for a named one): files of the directory, with
// Crossbar.io's cache headers, MIME types and fallback file; directories
// without index.html are listed only when asked to.
type staticHandler struct {
	svc    *StaticService
	prefix string
	files  http.Handler
}

func newStaticHandler(svc *StaticService, prefix string) *staticHandler {
	return &staticHandler{svc: svc, prefix: prefix, files: http.FileServer(http.Dir(svc.Directory))}
}

func (h *staticHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	rel := path.Clean("/" + strings.TrimPrefix(r.URL.Path, h.prefix))
	fi, err := os.Stat(filepath.Join(h.svc.Directory, filepath.FromSlash(rel)))
	switch {
	case err != nil && h.svc.DefaultFile != "":
		rel = path.Clean("/" + h.svc.DefaultFile)
		h.serveFile(w, r, rel)
		return
	case err == nil && fi.IsDir() && !h.svc.Listing:
		if _, err := os.Stat(filepath.Join(h.svc.Directory, filepath.FromSlash(rel), "index.html")); err != nil {
			http.NotFound(w, r)
			return
		}
	}
	h.headers(w, rel)
	r2 := r.Clone(r.Context())
	r2.URL.Path = strings.TrimPrefix(r.URL.Path, h.prefix)
	if r2.URL.Path == "" {
		r2.URL.Path = "/"
	}
	r2.URL.RawPath = ""
	h.files.ServeHTTP(w, r2)
}

// serveFile serves one file of the directory (the fallback file).
func (h *staticHandler) serveFile(w http.ResponseWriter, r *http.Request, rel string) {
	f, err := http.Dir(h.svc.Directory).Open(rel)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || fi.IsDir() {
		http.NotFound(w, r)
		return
	}
	h.headers(w, rel)
	http.ServeContent(w, r, fi.Name(), fi.ModTime(), f)
}

// headers sets the cache headers and the configured content type.
func (h *staticHandler) headers(w http.ResponseWriter, rel string) {
	if d := h.svc.CacheTimeout; d >= 0 {
		w.Header().Set("Cache-Control", fmt.Sprintf("max-age=%s, public", strconv.FormatInt(int64(d/time.Second), 10)))
		w.Header().Set("Expires", time.Now().Add(d).UTC().Format(http.TimeFormat))
	}
	if t := h.contentType(rel); t != "" {
		w.Header().Set("Content-Type", t)
	}
}

// contentType is the configured type of the longest matching extension
// (".min.js" before ".js"), else Go's own for .svg and the like.
func (h *staticHandler) contentType(rel string) string {
	base := path.Base(rel)
	best := ""
	for ext := range h.svc.MIMETypes {
		if strings.HasSuffix(base, ext) && len(ext) > len(best) {
			best = ext
		}
	}
	if best != "" {
		return h.svc.MIMETypes[best]
	}
	if path.Ext(base) == ".jgz" {
		return "text/javascript"
	}
	return mime.TypeByExtension(path.Ext(base))
}
