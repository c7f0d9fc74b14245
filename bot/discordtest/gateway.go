package discordtest

import (
	"bytes"
	"compress/zlib"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// Gateway opcodes (https://discord.com/developers/docs/topics/opcodes-and-status-codes).
const (
	opDispatch       = 0
	opHeartbeat      = 1
	opIdentify       = 2
	opPresenceUpdate = 3
	opVoiceState     = 4
	opResume         = 6
	opRequestMembers = 8
	opInvalidSession = 9
	opHello          = 10
	opHeartbeatACK   = 11
)

// Gateway close codes the fake uses.
const (
	closeUnknownOpcode     = 4001
	closeDecodeError       = 4002
	closeAuthFailed        = 4004
	closeAlreadyAuthed     = 4005
	closeInvalidAPIVersion = 4012
)

const writeTimeout = 5 * time.Second

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// gwSession is a gateway session (what IDENTIFY creates and RESUME resumes).
// Fields are guarded by Server.mu.
type gwSession struct {
	id       string
	seq      int64
	compress bool
	conn     *gwConn // the connection currently attached, or nil
}

// gwConn is one websocket connection.
type gwConn struct {
	s         *Server
	ws        *websocket.Conn
	wmu       sync.Mutex // serialises data frames (and the sequence numbers in them)
	closeOnce sync.Once
	sess      *gwSession // guarded by Server.mu; set once READY/RESUMED was sent
}

type gwPayload struct {
	Op   int             `json:"op"`
	Data json.RawMessage `json:"d"`
	Seq  *int64          `json:"s"`
	Type *string         `json:"t"`
}

// serveGateway runs one gateway connection. discordgo dials the URL from
// GET /gateway with "/" appended when missing and "?v=9&encoding=json".
func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		http.Error(w, "discordtest server closed", http.StatusServiceUnavailable)
		return
	}
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()

	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		s.reportf("discordtest: gateway upgrade: %v", err)
		return
	}
	c := &gwConn{s: s, ws: ws}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		c.close(websocket.CloseGoingAway, "discordtest server closed")
		return
	}
	s.conns[c] = struct{}{}
	s.broadcastLocked()
	s.mu.Unlock()

	defer func() {
		c.closeOnce.Do(func() { _ = ws.Close() })
		s.mu.Lock()
		delete(s.conns, c)
		if c.sess != nil && c.sess.conn == c {
			c.sess.conn = nil
		}
		s.broadcastLocked()
		s.mu.Unlock()
	}()

	if q := r.URL.Query(); q.Get("v") != discordgo.APIVersion || q.Get("encoding") != "json" {
		s.reportf("discordtest: gateway dialled with query %q, want v=%s&encoding=json", r.URL.RawQuery, discordgo.APIVersion)
		c.close(closeInvalidAPIVersion, "Invalid API version")
		return
	}
	c.run()
}

func (c *gwConn) run() {
	s := c.s
	hello := fmt.Appendf(nil, `{"op":%d,"d":{"heartbeat_interval":%d},"s":null,"t":null}`, opHello, heartbeatInterval)
	if err := c.write(hello, false); err != nil {
		return
	}
	for {
		mt, msg, err := c.ws.ReadMessage()
		if err != nil {
			// A close frame from the client (session.Close), or the
			// connection closed by Server.Close: both are normal.
			return
		}
		var p gwPayload
		if mt != websocket.TextMessage {
			err = errors.New("binary frame (discordgo sends JSON text frames)")
		} else {
			err = json.Unmarshal(msg, &p)
		}
		if err != nil {
			s.reportf("discordtest: undecodable gateway payload %q: %v", msg, err)
			c.close(closeDecodeError, "Decode error")
			return
		}
		switch p.Op {
		case opHeartbeat:
			s.mu.Lock()
			s.heartbeats++
			s.broadcastLocked()
			compress := c.sess != nil && c.sess.compress
			s.mu.Unlock()
			if c.write(fmt.Appendf(nil, `{"op":%d,"d":null,"s":null,"t":null}`, opHeartbeatACK), compress) != nil {
				return
			}
		case opIdentify:
			if !c.identify(p.Data) {
				return
			}
		case opResume:
			if !c.resume(p.Data) {
				return
			}
		case opPresenceUpdate, opVoiceState, opRequestMembers:
			// Accepted and ignored.
		default:
			s.reportf("discordtest: unknown gateway opcode %d: %s", p.Op, msg)
			c.close(closeUnknownOpcode, "Unknown opcode")
			return
		}
	}
}

// identify answers IDENTIFY with READY; false means the connection is done.
func (c *gwConn) identify(data json.RawMessage) bool {
	s := c.s
	// Only the fields the fake needs: discordgo's own Identify does not
	// decode what it encodes (presence.game.created_at is marshalled as a
	// time string but Activity.UnmarshalJSON wants an integer).
	var id struct {
		Token    string  `json:"token"`
		Compress bool    `json:"compress"`
		Shard    *[2]int `json:"shard"`
		Intents  int64   `json:"intents"`
	}
	if err := json.Unmarshal(data, &id); err != nil {
		s.reportf("discordtest: undecodable IDENTIFY %s: %v", data, err)
		c.close(closeDecodeError, "Decode error")
		return false
	}
	s.mu.Lock()
	authed := c.sess != nil
	s.mu.Unlock()
	switch {
	case authed:
		s.reportf("discordtest: IDENTIFY on an already identified gateway connection")
		c.close(closeAlreadyAuthed, "Already authenticated")
		return false
	case id.Token == "":
		s.reportf("discordtest: IDENTIFY without token")
		c.close(closeAuthFailed, "Authentication failed")
		return false
	}

	s.mu.Lock()
	sess := &gwSession{id: "session-" + s.newIDLocked(), compress: id.Compress, conn: c}
	s.sessions[sess.id] = sess
	s.mu.Unlock()

	shard := [2]int{0, 1}
	if id.Shard != nil {
		shard = *id.Shard
	}
	s.mu.Lock()
	s.shards = append(s.shards, shard)
	s.mu.Unlock()
	v, _ := strconv.Atoi(discordgo.APIVersion)
	ready, err := json.Marshal(map[string]any{
		"v":                  v,
		"session_id":         sess.id,
		"resume_gateway_url": s.wsURL,
		"user":               botUser(),
		"application":        map[string]any{"id": AppID, "flags": 0},
		"guilds":             []any{},
		"private_channels":   []any{},
		"shard":              shard,
	})
	if err != nil {
		panic(err)
	}
	if c.sendDispatch(sess, "READY", ready) != nil {
		return false
	}
	s.mu.Lock()
	c.sess = sess
	s.broadcastLocked()
	s.mu.Unlock()
	return true
}

// resume answers RESUME with RESUMED, or with INVALID_SESSION (d: false) for
// an unknown session, after which discordgo identifies again.
func (c *gwConn) resume(data json.RawMessage) bool {
	s := c.s
	var r struct {
		Token     string `json:"token"`
		SessionID string `json:"session_id"`
		Seq       int64  `json:"seq"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		s.reportf("discordtest: undecodable RESUME %s: %v", data, err)
		c.close(closeDecodeError, "Decode error")
		return false
	}
	s.mu.Lock()
	sess := s.sessions[r.SessionID]
	if r.Token == "" {
		sess = nil
	}
	if sess != nil {
		if old := sess.conn; old != nil && old != c {
			old.sess = nil // superseded: no more dispatches there
		}
		sess.conn = c
	}
	s.mu.Unlock()
	if sess == nil {
		return c.write(fmt.Appendf(nil, `{"op":%d,"d":false,"s":null,"t":null}`, opInvalidSession), false) == nil
	}
	if c.sendDispatch(sess, "RESUMED", []byte(`{}`)) != nil {
		return false
	}
	s.mu.Lock()
	c.sess = sess
	s.broadcastLocked()
	s.mu.Unlock()
	return true
}

// dispatch sends an op 0 event on a connection that has a session.
func (c *gwConn) dispatch(event string, data []byte) error {
	c.s.mu.Lock()
	sess := c.sess
	c.s.mu.Unlock()
	if sess == nil {
		return errors.New("discordtest: gateway connection has no session")
	}
	return c.sendDispatch(sess, event, data)
}

// sendDispatch assigns the session's next sequence number and sends the
// event; holding wmu keeps frames in sequence order.
func (c *gwConn) sendDispatch(sess *gwSession, event string, data []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.s.mu.Lock()
	sess.seq++
	seq, compress := sess.seq, sess.compress
	c.s.mu.Unlock()
	frame, err := json.Marshal(gwPayload{Op: opDispatch, Data: data, Seq: &seq, Type: &event})
	if err != nil {
		return err
	}
	return c.writeLocked(frame, compress)
}

func (c *gwConn) write(frame []byte, compress bool) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.writeLocked(frame, compress)
}

// writeLocked sends a frame as text, or zlib-compressed as a binary frame
// when the session asked for compression (discordgo inflates every binary
// frame on its own).
func (c *gwConn) writeLocked(frame []byte, compress bool) error {
	mt := websocket.TextMessage
	if compress {
		var buf bytes.Buffer
		zw := zlib.NewWriter(&buf)
		_, _ = zw.Write(frame)
		if err := zw.Close(); err != nil {
			return err
		}
		frame, mt = buf.Bytes(), websocket.BinaryMessage
	}
	_ = c.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
	return c.ws.WriteMessage(mt, frame)
}

// close sends a close frame and closes the connection, once.
func (c *gwConn) close(code int, text string) {
	c.closeOnce.Do(func() {
		_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(time.Second))
		_ = c.ws.Close()
	})
}
