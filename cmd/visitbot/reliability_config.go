package main

import (
	"net"
	"strconv"
	"strings"

	"visitbot/bot"
)

// loadReliability reads the settings of issue 7: rate limits, gateway
// sharding and the metrics address. get and bad are loadConfig's.
func (c *config) loadReliability(get func(string) string, bad func(string, ...any)) {
	rate := func(key string) bot.Rate {
		r, err := bot.ParseRate(get(key))
		if err != nil {
			bad("%s is %q: want N/DURATION, e.g. 5/10s, or off", key, get(key))
		}
		return r
	}
	c.Limits = bot.Limits{User: rate("RATE_USER"), Guild: rate("RATE_GUILD"), Autocomplete: rate("RATE_AUTOCOMPLETE")}

	number := func(key string) (int, bool) {
		n, err := strconv.Atoi(get(key))
		if err != nil {
			bad("%s is %q: want a whole number", key, get(key))
			return 0, false
		}
		return n, true
	}
	id, okID := number("SHARD_ID")
	count, okCount := number("SHARD_COUNT")
	switch {
	case !okID || !okCount:
	case count < 1:
		bad("SHARD_COUNT is %d: want 1 or more", count)
	case bot.CheckShard(id, count) != nil:
		bad("SHARD_ID is %d: want 0 <= SHARD_ID < SHARD_COUNT (%d)", id, count)
	default:
		c.ShardID, c.ShardCount = id, count
	}

	if c.MetricsAddr = get("METRICS_ADDR"); c.MetricsAddr != "" {
		if _, port, err := net.SplitHostPort(c.MetricsAddr); err != nil || !isPort(port) {
			bad("METRICS_ADDR is %q: want host:port, e.g. 127.0.0.1:9090, or nothing", c.MetricsAddr)
		}
	}
}

// reliabilityFlags adds the flags of the rate limits (and, for run, of
// sharding and the metrics address) to fs; the returned function gives
// their values by setting key once fs is parsed ("" when not given).
func reliabilityFlags(fs flagSet, gateway bool) func() map[string]string {
	vals := map[string]*string{
		"RATE_USER":         fs.String("rate-user", "", "commands one user may send, e.g. 5/10s, or off (default RATE_USER)"),
		"RATE_GUILD":        fs.String("rate-guild", "", "commands one server may send, e.g. 60/10s, or off (default RATE_GUILD)"),
		"RATE_AUTOCOMPLETE": fs.String("rate-autocomplete", "", "autocomplete requests one user may send, e.g. 30/10s (default RATE_AUTOCOMPLETE)"),
	}
	if gateway {
		vals["SHARD_ID"] = fs.String("shard-id", "", "this process's gateway shard (default SHARD_ID)")
		vals["SHARD_COUNT"] = fs.String("shard-count", "", "how many gateway shards in all (default SHARD_COUNT)")
		vals["METRICS_ADDR"] = fs.String("metrics-addr", "", "serve /metrics and /healthz here (default METRICS_ADDR)")
	}
	return func() map[string]string {
		out := make(map[string]string, len(vals))
		for k, v := range vals {
			if s := strings.TrimSpace(*v); s != "" {
				out[k] = s
			}
		}
		return out
	}
}

// withFlags returns the union of flag maps; later ones win.
func withFlags(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}
