package core

import "strconv"

// Options and details of publish & subscribe: PUBLISH, SUBSCRIBE, EVENT and
// UNSUBSCRIBED.

// PublishOptions are the options of PUBLISH.
type PublishOptions struct {
	// Acknowledge asks for a PUBLISHED reply.
	Acknowledge *bool
	// ExcludeMe: absent means true (the publisher does not receive its own
	// event).
	ExcludeMe *bool
	// DiscloseMe asks the broker to disclose the publisher to subscribers.
	DiscloseMe *bool
	// Retain asks the broker to retain the event for get_retained.
	Retain *bool
	// Subscriber black- and whitelisting; nil means absent.
	Exclude          []uint64
	ExcludeAuthID    []string
	ExcludeAuthRole  []string
	Eligible         []uint64
	EligibleAuthID   []string
	EligibleAuthRole []string
	// RKey is the sharding key (sharded_subscription).
	RKey string
	Passthru
	// Extra holds all other keys, e.g. Crossbar.io's forward_for,
	// transaction_hash.
	Extra map[string]any
}

func (o *PublishOptions) set(k string, v any) (bool, string) {
	var r string
	switch k {
	case "acknowledge":
		o.Acknowledge, r = asBool(v)
	case "exclude_me":
		o.ExcludeMe, r = asBool(v)
	case "disclose_me":
		o.DiscloseMe, r = asBool(v)
	case "retain":
		o.Retain, r = asBool(v)
	case "exclude":
		o.Exclude, r = asIDList(v)
	case "exclude_authid":
		o.ExcludeAuthID, r = asStringList(v)
	case "exclude_authrole":
		o.ExcludeAuthRole, r = asStringList(v)
	case "eligible":
		o.Eligible, r = asIDList(v)
	case "eligible_authid":
		o.EligibleAuthID, r = asStringList(v)
	case "eligible_authrole":
		o.EligibleAuthRole, r = asStringList(v)
	case "rkey":
		o.RKey, r = asString(v)
	default:
		return o.Passthru.set(k, v)
	}
	return true, r
}

func (o *PublishOptions) value(msg string, sc *listScratch) (map[string]any, error) {
	// Nothing to check or write when no field is set.
	size := len(o.Extra) + ptr1(o.Acknowledge) + ptr1(o.ExcludeMe) + ptr1(o.DiscloseMe) + ptr1(o.Retain) +
		nonNil1(o.Exclude) + nonNil1(o.ExcludeAuthID) + nonNil1(o.ExcludeAuthRole) +
		nonNil1(o.Eligible) + nonNil1(o.EligibleAuthID) + nonNil1(o.EligibleAuthRole) +
		set1(o.RKey) + o.Passthru.size()
	m := sc.newDict(size)
	if size == 0 {
		return m, nil
	}
	if err := putExtra(msg, "Options", m, o.Extra, knows[PublishOptions]); err != nil {
		return nil, err
	}
	putBool(m, "acknowledge", o.Acknowledge)
	putBool(m, "exclude_me", o.ExcludeMe)
	putBool(m, "disclose_me", o.DiscloseMe)
	putBool(m, "retain", o.Retain)
	for _, l := range [...]struct {
		k   string
		ids []uint64
	}{{"exclude", o.Exclude}, {"eligible", o.Eligible}} {
		if l.ids == nil {
			continue
		}
		for i, id := range l.ids {
			if r := checkID(id, false); r != "" {
				return nil, fieldErr(msg, "Options", l.k, "item "+strconv.Itoa(i)+": "+r)
			}
		}
		m[l.k] = idList(l.ids)
	}
	if o.ExcludeAuthID != nil {
		m["exclude_authid"] = stringList(o.ExcludeAuthID)
	}
	if o.ExcludeAuthRole != nil {
		m["exclude_authrole"] = stringList(o.ExcludeAuthRole)
	}
	if o.EligibleAuthID != nil {
		m["eligible_authid"] = stringList(o.EligibleAuthID)
	}
	if o.EligibleAuthRole != nil {
		m["eligible_authrole"] = stringList(o.EligibleAuthRole)
	}
	putString(m, "rkey", o.RKey)
	o.Passthru.put(m)
	return m, nil
}

// SubscribeOptions are the options of SUBSCRIBE.
type SubscribeOptions struct {
	// Match is the match policy: exact, prefix or wildcard. "" means exact;
	// after parsing it is never empty. It is written only when not exact (as
	// Autobahn does).
	Match string
	// GetRetained asks for the retained event, if any.
	GetRetained *bool
	// NKey is the sharding key (sharded_subscription).
	NKey  string
	Extra map[string]any
}

func (o *SubscribeOptions) set(k string, v any) (bool, string) {
	var r string
	switch k {
	case "match":
		o.Match, r = asEnum(v, matchValues...)
	case "get_retained":
		o.GetRetained, r = asBool(v)
	case "nkey":
		o.NKey, r = asString(v)
	default:
		return false, ""
	}
	return true, r
}

func (o *SubscribeOptions) value(msg string) (map[string]any, error) {
	m := make(map[string]any)
	if err := putExtra(msg, "Options", m, o.Extra, knows[SubscribeOptions]); err != nil {
		return nil, err
	}
	if err := putMatch(msg, m, o.Match); err != nil {
		return nil, err
	}
	putBool(m, "get_retained", o.GetRetained)
	putString(m, "nkey", o.NKey)
	return m, nil
}

// EventDetails are the details of EVENT.
type EventDetails struct {
	// Publisher, PublisherAuthID and PublisherAuthRole disclose the
	// publisher; 0 / "" mean absent.
	Publisher         uint64
	PublisherAuthID   string
	PublisherAuthRole string
	// Topic is the concrete topic of an event for a pattern-based
	// subscription.
	Topic string
	// Retained marks a retained event delivered on subscription.
	Retained *bool
	// Trustlevel is the publication trust level.
	Trustlevel *int64
	Passthru
	Extra map[string]any
}

func (d *EventDetails) set(k string, v any) (bool, string) {
	var r string
	switch k {
	case "publisher":
		d.Publisher, r = asOptID(v)
	case "publisher_authid":
		d.PublisherAuthID, r = asString(v)
	case "publisher_authrole":
		d.PublisherAuthRole, r = asString(v)
	case "topic":
		d.Topic, r = asURI(v, MatchExact)
	case "retained":
		d.Retained, r = asBool(v)
	case "trustlevel":
		d.Trustlevel, r = asNonNegInt(v)
	default:
		return d.Passthru.set(k, v)
	}
	return true, r
}

func (d *EventDetails) value(msg string, sc *listScratch) (map[string]any, error) {
	// Nothing to check or write when no field is set.
	size := len(d.Extra) + idSet1(d.Publisher) + set1(d.PublisherAuthID) + set1(d.PublisherAuthRole) +
		set1(d.Topic) + ptr1(d.Retained) + ptr1(d.Trustlevel) + d.Passthru.size()
	m := sc.newDict(size)
	if size == 0 {
		return m, nil
	}
	if err := putExtra(msg, "Details", m, d.Extra, knows[EventDetails]); err != nil {
		return nil, err
	}
	if d.Publisher != 0 {
		if r := checkID(d.Publisher, false); r != "" {
			return nil, fieldErr(msg, "Details", "publisher", r)
		}
		m["publisher"] = int64(d.Publisher)
	}
	putString(m, "publisher_authid", d.PublisherAuthID)
	putString(m, "publisher_authrole", d.PublisherAuthRole)
	if d.Topic != "" {
		if err := ValidateURI(d.Topic, false, MatchExact); err != nil {
			return nil, &ProtocolError{Message: msg, Field: "Details.topic", Err: err}
		}
		m["topic"] = d.Topic
	}
	putBool(m, "retained", d.Retained)
	if err := putNonNeg(msg, "Details", m, "trustlevel", d.Trustlevel); err != nil {
		return nil, err
	}
	d.Passthru.put(m)
	return m, nil
}

// UnsubscribedDetails are the details of UNSUBSCRIBED; they are set when the
// broker revokes a subscription (request 0).
type UnsubscribedDetails struct {
	// Subscription is the revoked subscription; 0 means absent.
	Subscription uint64
	// Reason is the revocation reason URI.
	Reason string
	Extra  map[string]any
}

func (d *UnsubscribedDetails) set(k string, v any) (bool, string) {
	var r string
	switch k {
	case "subscription":
		d.Subscription, r = asOptID(v)
	case "reason":
		d.Reason, r = asURI(v, MatchExact)
	default:
		return false, ""
	}
	return true, r
}
