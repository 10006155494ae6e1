package cli

// The hosting commands, segue origin and segue demo, hold the origin's
// code: its catalog engines (SQLite, PostgreSQL through pgx), blob stores
// (S3 through aws-sdk-go-v2) and servers (net/http, fasthttp). A build
// with the tag segue_client leaves them out, and runs those two commands
// by executing segue-origin (HostingBinary), a build without the tag that
// has everything, in its place (hosting_exec.go). `make build` makes both:
// bin/segue, what listeners run, and bin/segue-origin beside it. Without
// the hosting code the binary is 26 MB instead of 50, and the interface
// playing through ALSA is 35 MiB resident instead of 54, because the
// kernel maps a binary's page cache in whole large folios: the file pages
// of the binary were 38 of the 54 MiB (BenchmarkTUIVsCmus; issue 14).

// HostingBinary is the name of the build with the hosting code, which a
// client build runs for segue origin and segue demo.
const HostingBinary = "segue-origin"

// hostingCommands are the names of the hosting commands' own commands, for
// a client build's "did you mean" (nestedCommands), whose hosting commands
// have none of their own: "segue ingest" there said only "unknown
// command". TestHostingCommandsListed keeps them the full build's.
var hostingCommands = map[string][]string{
	"origin": {"events", "ingest", "migrate", "proxy-config", "remove", "serve", "token", "user"},
}

// The hosting commands' one-line help, the same in both builds.
const (
	originShort = "Host music: ingest a folder and serve it to segue clients"
	demoShort   = "Create the demo library, ingest it, start an origin and open segue"
)
