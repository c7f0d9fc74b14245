// Package discordtest is a fake Discord for tests: it serves the parts of the
// Discord REST API and the gateway websocket that visitbot uses, on a loopback
// httptest server, so that tests drive the real discordgo v0.29.0
// *discordgo.Session end to end without the network. Production code never
// imports it.
//
// # How a test uses it
//
//	fake := discordtest.New(t)          // closed by t.Cleanup
//	s := fake.Session(t)                // real session wired to the fake
//	s.AddHandler(myInteractionHandler)
//	if err := s.Open(); err != nil {    // GET /gateway, HELLO, IDENTIFY, READY
//		t.Fatal(err)
//	}
//	i := &discordgo.Interaction{Type: discordgo.InteractionApplicationCommand,
//		Data: discordgo.ApplicationCommandInteractionData{Name: "visit"}}
//	_ = fake.DispatchInteraction(ctx, i) // INTERACTION_CREATE over the gateway
//	resp, _ := fake.WaitResponse(ctx, i.ID)
//
// A session configured by the test itself works too: set session.Client to
// Server.Client() (REST requests for discord.com are rewritten to the fake;
// discordgo's Endpoint* variables are never reassigned). The gateway URL that
// the fake hands out is its own ws:// address, so discordgo dials it directly.
//
// # Rules
//
//   - Every REST call is logged (see Server.Calls). A call the fake does not
//     serve is reported with t.Errorf ("unexpected Discord API call METHOD
//     path") and answered 404, so a test cannot silently depend on an
//     endpoint nobody modelled. Requests through Server.Client to hosts that
//     are not Discord's are refused and reported the same way.
//   - A call that the real Discord would reject because the client broke the
//     protocol (an invalid command definition, answering an interaction twice
//     or one that was never dispatched, editing a response that does not
//     exist) is answered with Discord's error JSON and also reported with
//     t.Errorf. Tests that exercise such an error on purpose pass a
//     testing.TB wrapper that records Errorf.
//   - Only API version discordgo.APIVersion (v9 for discordgo v0.29.0) is
//     served, JSON encoding only. When IDENTIFY asks for compression (the
//     discordgo default) gateway payloads after HELLO are zlib-compressed
//     binary frames, as Discord sends them.
//   - Wait* methods block until their event happens, the context ends or
//     the server is closed; a context without deadline gets DefaultTimeout.
//   - The server closes its websocket connections when it is closed, and
//     waits for its goroutines, so it leaks nothing. Sessions should be
//     closed before the server (Server.Session arranges that via t.Cleanup).
//
// The fake does not model rate limits, guilds, channels, messages outside
// interactions, or the 3-second deadline for answering an interaction.
package discordtest
