package node

// Plugin is an entry of the configuration's "plugins" list, a key of
// autobahn's own (Crossbar.io has none such): a plugin binary of package
// payloadcodec/plugin that provides serializers and payload codecs, started
// before the transports are read so that their "serializers" can name the
// plugin's.
//
//	"plugins": [{"path": "plugins/bson", "args": ["-v"]}]
type Plugin struct {
	// Path is the binary, absolute (a relative path is taken relative to
	// the configuration's directory, as the other paths there).
	Path string
	// Args are its command-line arguments.
	Args []string
	// KeyPath is the entry's key path ("plugins[0]"), for messages.
	KeyPath string
}

// plugins reads the top-level "plugins" list into Config.Plugins and has
// LoadOptions.LoadPlugin start each one.
func (l *loader) plugins(o obj) error {
	list, err := o.list("plugins")
	if err != nil {
		return err
	}
	for i, v := range list {
		p, err := asObj(index("plugins", i), v)
		if err != nil {
			return err
		}
		if err := p.check(schema{known: []string{"path", "args"}}); err != nil {
			return err
		}
		path, err := p.mustStr("path")
		if err != nil {
			return err
		}
		if path == "" {
			return errorf(child(p.path, "path"), "empty")
		}
		args, err := p.strings("args")
		if err != nil {
			return err
		}
		pl := Plugin{Path: l.abs(path), Args: args, KeyPath: p.path}
		l.cfg.Plugins = append(l.cfg.Plugins, pl)
		if l.loadPlugin != nil {
			if err := l.loadPlugin(pl); err != nil {
				return wrapErr(p.path, err)
			}
		}
	}
	return nil
}
