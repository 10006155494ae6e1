// Package peer lets segue clients serve each other verified segments from
// their caches, so that the origin carries only what no peer holds. It keeps
// three responsibilities apart, as Spotify's P2P design does (Kreitz &
// Niemelä, IEEE P2P 2010):
//
//   - discovery: Tracker (the origin's tracker, with Announcer telling it
//     what this peer holds) and LAN (multicast DNS, service _segue._tcp);
//   - transfer: Server (the peer endpoint, GET /chunks/{sha256} from the
//     local cache only) and Swarm (the fetch chain's peer tier: asks peers,
//     hedges, verifies every byte against its sha256);
//   - policy: Policy, pure and clock-free: ranking by expected finish time,
//     when the play head may wait on a peer, cooling and bans.
//
// It must not store anything (the cache does) nor decide between peers and
// the origin beyond "no peer in time" (net/fetch does).
package peer
