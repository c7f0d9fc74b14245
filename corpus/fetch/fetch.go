package fetch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/net/html/charset"

	"visitbot/corpus"
)

// Limits on what is fetched.
const (
	MaxBytes     = 5 << 20 // a page or file larger than this is refused
	Timeout      = 10 * time.Second
	MaxRedirects = 5
)

// Refusals. Each is one sentence fit to show the moderator who asked.
var (
	ErrBadURL       error = &corpus.UserError{Msg: "That is not a valid link: give the full address, starting with https://."}
	ErrScheme       error = &corpus.UserError{Msg: "Only http and https links can be added."}
	ErrUserinfo     error = &corpus.UserError{Msg: "Links with a user name or password in them are not fetched."}
	ErrPrivate      error = &corpus.UserError{Msg: "That address points inside this server's network, so it was not fetched."}
	ErrTooLarge     error = &corpus.UserError{Msg: "That page is larger than 5 MiB, so it was not added."}
	ErrFileTooLarge error = &corpus.UserError{Msg: "That file is larger than 5 MiB, so it was not added."}
	ErrRedirects    error = &corpus.UserError{Msg: "That link redirects more than 5 times, so it was not followed."}
	ErrTimeout      error = &corpus.UserError{Msg: "The site took longer than 10 seconds to answer."}
	ErrNoHost       error = &corpus.UserError{Msg: "That site's name could not be found."}
	ErrUnreachable  error = &corpus.UserError{Msg: "The site could not be reached."}
	ErrFileType     error = &corpus.UserError{Msg: "Only .txt, .md and .html files can be added."}
)

// Resolver looks up the addresses of a host name. *net.Resolver is one; tests
// inject their own so that "evil.test" can resolve to 127.0.0.1 without DNS.
type Resolver interface {
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
}

// Client fetches article pages. The zero value is ready to use and refuses
// addresses inside this server's network. It is safe for concurrent use.
type Client struct {
	// AllowPrivate lets the client fetch from loopback, private and
	// link-local addresses: for tests and intranet deployments only.
	AllowPrivate bool
	// Resolver resolves host names; nil means net.DefaultResolver.
	Resolver Resolver
	// UserAgent is sent with each request; "" means a default naming the bot.
	UserAgent string

	// trusted addresses are dialled even though private: a test's own
	// server, so that what it redirects to can be refused.
	trusted []netip.AddrPort

	once sync.Once
	hc   *http.Client
}

// DefaultUserAgent is sent when Client.UserAgent is empty.
const DefaultUserAgent = "visitbot/1 (article fetcher)"

// mediaTypes are the content types worth extracting an article from.
var mediaTypes = map[string]bool{
	"text/html":             true,
	"application/xhtml+xml": true,
	"text/plain":            true,
	"text/markdown":         true,
	"text/x-markdown":       true,
}

// fileExts are the attachment names accepted, by extension.
var fileExts = map[string]bool{".txt": true, ".md": true, ".markdown": true, ".html": true, ".htm": true}

// CheckURL parses a link a moderator gave and refuses what is never fetched:
// another scheme than http or https, no host, or a user name or password.
func CheckURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, &corpus.UserError{Msg: userMsg(ErrBadURL), Err: err}
	}
	return u, checkURL(u)
}

func checkURL(u *url.URL) error {
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	case "":
		return ErrBadURL
	default:
		return ErrScheme
	}
	if u.User != nil {
		return ErrUserinfo
	}
	if u.Hostname() == "" {
		return ErrBadURL
	}
	return nil
}

// CheckAttachment refuses a file (a Discord upload) that is not .txt, .md or
// .html, says it is something else than text, is empty, or is larger than
// MaxBytes. An empty contentType is allowed: not every client sends one.
func CheckAttachment(name, contentType string, size int64) error {
	if !fileExts[strings.ToLower(path.Ext(name))] {
		return ErrFileType
	}
	if contentType != "" {
		mt, _, err := mime.ParseMediaType(contentType)
		if err != nil || !mediaTypes[strings.ToLower(mt)] {
			return &corpus.UserError{Msg: userMsg(ErrFileType), Err: fmt.Errorf("content type %q", contentType)}
		}
	}
	switch {
	case size <= 0:
		return corpus.ErrEmpty
	case size > MaxBytes:
		return ErrFileTooLarge
	}
	return nil
}

// Fetch gets the page at rawURL. It returns the body (decoded to UTF-8 when
// the page declares another charset), the URL it was finally served from,
// after redirects, and its media type ("text/html"). Refusals and failures
// the moderator can act on are corpus.UserErrors; a cancelled ctx returns
// ctx.Err().
func (c *Client) Fetch(ctx context.Context, rawURL string) (body []byte, finalURL, mediaType string, err error) {
	u, err := CheckURL(rawURL)
	if err != nil {
		return nil, "", "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, "", "", &corpus.UserError{Msg: userMsg(ErrBadURL), Err: err}
	}
	ua := c.UserAgent
	if ua == "" {
		ua = DefaultUserAgent
	}
	req.Header.Set("User-Agent", ua)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,text/plain;q=0.9,text/markdown;q=0.9")

	resp, err := c.client().Do(req)
	if err != nil {
		return nil, "", "", c.explain(ctx, err)
	}
	defer resp.Body.Close()
	finalURL = resp.Request.URL.String()

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, finalURL, "", &corpus.UserError{Msg: fmt.Sprintf("The site answered %d %s instead of the page.",
			resp.StatusCode, http.StatusText(resp.StatusCode))}
	}
	if resp.ContentLength > MaxBytes {
		return nil, finalURL, "", &corpus.UserError{Msg: userMsg(ErrTooLarge), Err: fmt.Errorf("content length %d", resp.ContentLength)}
	}
	ct := resp.Header.Get("Content-Type")
	if ct != "" {
		if mediaType, err = allowedType(ct); err != nil {
			return nil, finalURL, "", err
		}
	}
	body, err = io.ReadAll(io.LimitReader(resp.Body, MaxBytes+1))
	if err != nil {
		return nil, finalURL, "", c.explain(ctx, err)
	}
	if len(body) > MaxBytes {
		return nil, finalURL, "", ErrTooLarge
	}
	if ct == "" {
		// No type declared: judge by the content, as a browser would.
		ct = http.DetectContentType(body)
		if mediaType, err = allowedType(ct); err != nil {
			return nil, finalURL, "", err
		}
	}
	return toUTF8(body, ct, mediaType), finalURL, mediaType, nil
}

// allowedType returns the media type of a Content-Type header, or a refusal.
func allowedType(ct string) (string, error) {
	mt, _, err := mime.ParseMediaType(ct)
	mt = strings.ToLower(mt)
	if err != nil || !mediaTypes[mt] {
		what := mt
		if what == "" {
			what = "an unknown type"
		}
		return "", &corpus.UserError{Msg: fmt.Sprintf("That link is %s, not a web page or text, so it was not added.", what)}
	}
	return mt, nil
}

// toUTF8 decodes a page written in another charset (declared in its header,
// or for HTML in a <meta> tag), so that the loader sees UTF-8.
func toUTF8(body []byte, contentType, mediaType string) []byte {
	if mediaType != "text/html" && mediaType != "application/xhtml+xml" {
		_, params, _ := mime.ParseMediaType(contentType)
		label := strings.ToLower(params["charset"])
		if label == "" || label == "utf-8" || label == "us-ascii" {
			return body
		}
		enc, _ := charset.Lookup(label)
		if enc == nil {
			return body
		}
		if out, err := enc.NewDecoder().Bytes(body); err == nil {
			return out
		}
		return body
	}
	enc, name, _ := charset.DetermineEncoding(body, contentType)
	if name == "utf-8" {
		return body
	}
	if name == "windows-1252" && !hasCharsetHint(body, contentType) {
		// DetermineEncoding's fallback when nothing is declared; the loader
		// judges undeclared bytes itself.
		return body
	}
	if out, err := enc.NewDecoder().Bytes(body); err == nil {
		return out
	}
	return body
}

func hasCharsetHint(body []byte, contentType string) bool {
	if _, params, _ := mime.ParseMediaType(contentType); params["charset"] != "" {
		return true
	}
	head := bytes.ToLower(body[:min(len(body), 1024)])
	return bytes.Contains(head, []byte("charset"))
}

// explain turns a failed request into a sentence for the moderator, keeping
// the cause for the log.
func (c *Client) explain(ctx context.Context, err error) error {
	var ue *corpus.UserError
	if errors.As(err, &ue) {
		return ue
	}
	if ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return ctx.Err()
	}
	var ne net.Error
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &dnsErr):
		return &corpus.UserError{Msg: userMsg(ErrNoHost), Err: err}
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return &corpus.UserError{Msg: userMsg(ErrTimeout), Err: err}
	}
	return &corpus.UserError{Msg: userMsg(ErrUnreachable), Err: err}
}

func (c *Client) client() *http.Client {
	c.once.Do(func() {
		d := &net.Dialer{Timeout: Timeout, KeepAlive: 30 * time.Second}
		if !c.AllowPrivate {
			// A second check where the socket is made: whatever resolved
			// the name, this is the address the kernel is about to use.
			d.Control = func(network, address string, _ syscall.RawConn) error {
				ap, err := netip.ParseAddrPort(address)
				if err != nil {
					return &corpus.UserError{Msg: userMsg(ErrPrivate), Err: fmt.Errorf("dial %q: %w", address, err)}
				}
				if why := c.blocked(ap); why != "" {
					return &corpus.UserError{Msg: userMsg(ErrPrivate), Err: fmt.Errorf("dial %s: %s address", ap.Addr(), why)}
				}
				return nil
			}
		}
		tr := &http.Transport{
			Proxy:                  nil, // a proxy would dial for us, past the checks
			DialContext:            (&dialer{c: c, d: d}).DialContext,
			ForceAttemptHTTP2:      true,
			TLSHandshakeTimeout:    Timeout,
			ResponseHeaderTimeout:  Timeout,
			MaxResponseHeaderBytes: 1 << 20,
			MaxIdleConns:           10,
			IdleConnTimeout:        30 * time.Second,
		}
		c.hc = &http.Client{
			Transport: tr,
			Timeout:   Timeout,
			CheckRedirect: func(req *http.Request, via []*http.Request) error {
				if len(via) > MaxRedirects {
					return ErrRedirects
				}
				return checkURL(req.URL)
			},
		}
	})
	return c.hc
}

// dialer resolves a host itself and dials only the addresses that pass.
type dialer struct {
	c *Client
	d *net.Dialer
}

func (dl *dialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	portNum, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return nil, &corpus.UserError{Msg: userMsg(ErrBadURL), Err: err}
	}
	var ips []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		ips = []netip.Addr{ip}
	} else {
		r := dl.c.Resolver
		if r == nil {
			r = net.DefaultResolver
		}
		addrs, err := r.LookupIPAddr(ctx, host)
		if err != nil {
			return nil, &corpus.UserError{Msg: userMsg(ErrNoHost), Err: err}
		}
		for _, a := range addrs {
			if ip, ok := netip.AddrFromSlice(a.IP); ok {
				ips = append(ips, ip.Unmap().WithZone(a.Zone))
			}
		}
		if len(ips) == 0 {
			return nil, &corpus.UserError{Msg: userMsg(ErrNoHost), Err: fmt.Errorf("%s has no addresses", host)}
		}
	}
	var refused, failed error
	for _, ip := range ips {
		if !dl.c.AllowPrivate {
			if why := dl.c.blocked(netip.AddrPortFrom(ip, uint16(portNum))); why != "" {
				refused = &corpus.UserError{Msg: userMsg(ErrPrivate), Err: fmt.Errorf("%s is a %s address", ip, why)}
				continue
			}
		}
		conn, err := dl.d.DialContext(ctx, network, net.JoinHostPort(ip.String(), port))
		if err == nil {
			return conn, nil
		}
		if failed == nil {
			failed = err
		}
	}
	if failed != nil {
		return nil, failed
	}
	return nil, refused
}

// Address ranges no fetch may reach, beyond what netip classifies.
var blockedPrefixes = []struct {
	p   netip.Prefix
	why string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "this-network"},
	{netip.MustParsePrefix("100.64.0.0/10"), "carrier-grade NAT"}, // also Alibaba's metadata, 100.100.100.200
	{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol"},      // also Oracle's metadata, 192.0.0.192
	{netip.MustParsePrefix("192.0.2.0/24"), "documentation"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking"},
	{netip.MustParsePrefix("198.51.100.0/24"), "documentation"},
	{netip.MustParsePrefix("203.0.113.0/24"), "documentation"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved"}, // and broadcast
	{netip.MustParsePrefix("64:ff9b:1::/48"), "local NAT64"},
	{netip.MustParsePrefix("100::/64"), "discard"},
	{netip.MustParsePrefix("2001:db8::/32"), "documentation"},
	{netip.MustParsePrefix("fec0::/10"), "site-local"},
}

// Blocked says why ip is inside this server's network (or otherwise no place
// to fetch an article from): "loopback", "private", "link-local", ... It
// returns "" for a public address. IPv4 addresses embedded in IPv6 ones
// (mapped, NAT64, 6to4) are judged as the IPv4 address.
func Blocked(ip netip.Addr) string {
	ip = ip.WithZone("").Unmap()
	if ip.Is6() {
		b := ip.As16()
		switch {
		case netip.MustParsePrefix("64:ff9b::/96").Contains(ip):
			return Blocked(netip.AddrFrom4([4]byte(b[12:16])))
		case netip.MustParsePrefix("2002::/16").Contains(ip):
			return Blocked(netip.AddrFrom4([4]byte(b[2:6])))
		}
	}
	switch {
	case !ip.IsValid():
		return "invalid"
	case ip.IsUnspecified():
		return "unspecified"
	case ip.IsLoopback():
		return "loopback"
	case ip.IsPrivate():
		return "private"
	case ip.IsLinkLocalUnicast():
		return "link-local" // 169.254.169.254, the cloud metadata address, is one
	case ip.IsMulticast(), ip.IsLinkLocalMulticast(), ip.IsInterfaceLocalMulticast():
		return "multicast"
	}
	for _, b := range blockedPrefixes {
		if b.p.Contains(ip) {
			return b.why
		}
	}
	return ""
}

// blocked is Blocked, less the addresses a test trusts.
func (c *Client) blocked(ap netip.AddrPort) string {
	for _, t := range c.trusted {
		if t.Addr() == ap.Addr().WithZone("").Unmap() && t.Port() == ap.Port() {
			return ""
		}
	}
	return Blocked(ap.Addr())
}

func userMsg(err error) string {
	msg, _ := corpus.UserMessage(err)
	return msg
}
