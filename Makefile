# segue — every Go command carries -tags sqlite_fts5 (FTS5 search).
GO      ?= go
TAGS    := -tags sqlite_fts5
BIN     := bin/segue
# HOST_BIN is the whole of segue; BIN, the client build (segue_client), leaves
# out the origin's code and runs HOST_BIN, which must be beside it, for segue
# origin and segue demo: that keeps the interface's memory down (cli/hosting.go).
HOST_BIN = $(dir $(BIN))segue-origin
# VCS records the git commit in the binaries (segue version) when the tree is a
# git clone, even where the environment sets GOFLAGS=-buildvcs=false (a flag
# given on the command line wins over GOFLAGS); auto, unlike true, still
# builds a tree with no .git (a release tarball), recording no commit.
VCS     := -buildvcs=auto
PREFIX  ?= $(HOME)/.local
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# APT waits up to 10 minutes for another apt's lock (a fresh machine's
# unattended-upgrades, say) instead of failing at once.
APT     := $(SUDO) apt-get -o DPkg::Lock::Timeout=600
# Debian packages, in three sets so each target installs only what it uses.
# Building needs a C compiler, the ALSA and libmpg123 headers (cgo: SQLite,
# ALSA output, the MP3 decoder).
BUILD_DEBS := gcc pkg-config libasound2-dev libmpg123-dev
# The demo also synthesizes and ingests its library with ffmpeg; ingest
# measures tempo with bpm-tools and fingerprints with fpcalc (chromaprint).
DEMO_DEBS  := $(BUILD_DEBS) ffmpeg bpm-tools libchromaprint-tools
# The tests also drive: PulseAudio and the ALSA plugins (the headless audio
# test), nginx (the /chunks benchmark; the caching proxy in front of origin
# replicas), tmux (the real-terminal tests), Chromium (the share page
# test), iproute2 (the network namespaces of the mDNS peer test), mpg123
# and cmus (the peers of bench-compare), valgrind (its instruction counts),
# linux-perf (perf stat of a kernel tracepoint: internal/exepages' mmap_lock test),
# mpv and VLC (exported M3U8 and XSPF play in other players), dbus,
# dbus-monitor and playerctl (MPRIS on a private session bus), Node and
# npm (the Subsonic client library that drives the origin's Subsonic API)
# and xmllint (its XML answers against the Subsonic XSD), supysonic with waitress (a
# Subsonic server for net/subsonic's client tests) and PostgreSQL (the
# catalog contract tests start their own cluster).
# Debian's npm is installed only when no npm is there: a nodejs from
# elsewhere (NodeSource) carries its own and conflicts with Debian's.
TEST_DEBS  := $(DEMO_DEBS) alsa-utils pulseaudio pulseaudio-utils \
              libasound2-plugins nginx-light tmux chromium iproute2 mpg123 cmus valgrind linux-perf \
              mpv vlc-bin vlc-plugin-base dbus dbus-bin playerctl nodejs libxml2-utils \
              supysonic python3-waitress postgresql

.PHONY: all deps build-deps demo-deps build install test demo bench bench-swarm bench-abr bench-reco bench-compare bench-scale bench-load fuzz clean

# MinIO is the real S3 server the blob store tests (origin/blobs) start on a
# loopback port. It is built from source once per machine (about 10 minutes)
# into MINIO_BIN, where origin/blobs/miniotest looks for it. The version is
# the one the Go module proxy served on 2026-11-30.
MINIO_VERSION := v0.0.0-20260212201848-7aac2a2c5b7c
MINIO_BIN     := $(HOME)/.cache/segue/bin

all: build

# SUBSONIC_NODE pins the npm package subsonic-api (package-lock.json), the
# client library origin/subsonic's TestNodeClient drives the origin with.
SUBSONIC_NODE := origin/subsonic/testdata/node

# install-debs installs those of the packages $(1) that are missing.
define install-debs
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(APT) update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(APT) install -y -qq --no-install-recommends $$missing; \
	fi
	@command -v $(GO) >/dev/null || { echo "Go is missing: install Go 1.26 from your distribution or go.dev"; exit 1; }
endef

# gonic is the Subsonic server (API 1.15, OpenSubsonic) the Subsonic client
# tests start besides supysonic; built like MinIO (about 7 minutes), but in
# a scratch module: `go install` asks the proxy for gonic's version list,
# which it refuses, and one dependency is not in the checksum database.
GONIC_VERSION := v0.22.0

# deps installs everything the tests use.
deps: $(MINIO_BIN)/minio $(MINIO_BIN)/gonic
	$(call install-debs,$(TEST_DEBS))
	@command -v npm >/dev/null || DEBIAN_FRONTEND=noninteractive $(APT) install -y -qq --no-install-recommends npm
	cd $(SUBSONIC_NODE) && [ -f node_modules/subsonic-api/package.json ] || npm ci --no-audit --no-fund
$(MINIO_BIN)/minio:
	@echo "building MinIO $(MINIO_VERSION) for the S3 blob store tests (once per machine, about 10 minutes)"
	GOBIN=$(MINIO_BIN) $(GO) install github.com/minio/minio@$(MINIO_VERSION)
$(MINIO_BIN)/gonic:
	@echo "building gonic $(GONIC_VERSION) for the Subsonic client tests (once per machine, about 7 minutes)"
	d=$$(mktemp -d) && cd $$d && $(GO) mod init scratch >/dev/null 2>&1 && \
	  GONOSUMDB=go.senan.xyz GOFLAGS=-mod=mod $(GO) get go.senan.xyz/gonic@$(GONIC_VERSION) && \
	  GONOSUMDB=go.senan.xyz GOFLAGS=-mod=mod $(GO) build -o $(MINIO_BIN)/gonic go.senan.xyz/gonic/cmd/gonic; \
	  rc=$$?; rm -rf $$d; exit $$rc
build-deps:
	$(call install-debs,$(BUILD_DEBS))
demo-deps:
	$(call install-debs,$(DEMO_DEBS))

build: build-deps
	$(GO) build $(TAGS),segue_client $(VCS) -o $(BIN) .
	$(GO) build $(TAGS) $(VCS) -o $(HOST_BIN) .

# install copies the two binaries to $(PREFIX)/bin (default ~/.local/bin).
install: build
	install -D -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/segue
	install -D -m 0755 $(HOST_BIN) $(DESTDIR)$(PREFIX)/bin/segue-origin
	@case ":$$PATH:" in *":$(PREFIX)/bin:"*) ;; *) echo "note: $(PREFIX)/bin is not in your PATH";; esac

# test runs vet, every test (failing when any test was skipped: see
# .ci/testreport.go) and every fuzzer briefly (10 s each, 47 fuzzers: about 8 minutes; make
# fuzz gives each a minute). vet runs on the client build (segue_client) as
# well, tests included, so that its test files keep building: a test of the
# hosting commands' code goes in a file marked //go:build !segue_client.
test: deps
	$(GO) vet $(TAGS) ./...
	$(GO) vet $(TAGS),segue_client ./...
	$(GO) run .ci/testreport.go $(GO) test $(TAGS) -json -timeout 40m ./...
	$(MAKE) fuzz FUZZTIME=10s

# demo opens the interface: it checks for a terminal before installing,
# building, synthesizing or ingesting anything. DEMO_ADDR moves its origin;
# run by it (SEGUE_MAKE_DEMO=1), segue demo names DEMO_ADDR, not --addr, in its
# errors about the address (cli/demo.go).
DEMO_ADDR ?= 127.0.0.1:7700
demo:
	@[ -t 0 ] && [ -t 1 ] || { echo "make demo opens the interface and needs a terminal; to serve the demo without it: make build && $(BIN) demo --no-tui"; exit 2; }
	@$(MAKE) --no-print-directory demo-deps build
	SEGUE_MAKE_DEMO=1 $(BIN) demo --addr $(DEMO_ADDR)

# fuzz runs every fuzzer for FUZZTIME each (go test -fuzz takes one at a time);
# it fails on any failure but the one Go's coordinator reports by mistake
# when -fuzztime ends on a loaded machine with no input written.
FUZZTIME ?= 60s
fuzz:
	@set -e; for pkg in $$(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u); do \
	  for f in $$(grep -h '^func Fuzz' $$pkg/*_test.go | sed 's/func \(Fuzz[A-Za-z0-9_]*\).*/\1/'); do \
	    echo "fuzz $$pkg $$f ($(FUZZTIME))"; \
	    found=$$(ls $$pkg/testdata/fuzz/$$f 2>/dev/null | wc -l); \
	    if ! $(GO) test $(TAGS) -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg > /tmp/segue-fuzz.log 2>&1; then \
	      if [ "$$(ls $$pkg/testdata/fuzz/$$f 2>/dev/null | wc -l)" = "$$found" ] && grep -qx '    context deadline exceeded' /tmp/segue-fuzz.log; then \
	        echo "  stopped by Go's fuzz coordinator race at the end of -fuzztime, no input written (golang/go#75804, go1.26): not a finding"; \
	      else cat /tmp/segue-fuzz.log; exit 1; fi; \
	    fi; \
	  done; \
	done

# bench runs every performance benchmark with the run count its
# percentiles need; the numbers in the issues' closing notes come from here.
BENCH = $(GO) test $(TAGS) -run '^$$' -timeout 30m
bench: deps
	$(BENCH) -bench 'Ingest|Search1M|ChunksVsNginx' -benchtime 1x ./origin/
	$(BENCH) -bench 'GetWarm|GetCold|Put|Evict100k' -benchtime 2000x ./cache/
	$(BENCH) -bench 'Memory' -benchtime 1x ./cache/
	$(BENCH) -bench 'TimeToFirstAudio' -benchtime 50x ./player/
	$(BENCH) -bench 'Play320kNull' -benchtime 1x ./player/
	$(BENCH) -bench 'FirstAudioEmptyCache' -benchtime 50x ./cli/
	$(BENCH) -bench 'SubsonicFirstAudio' -benchtime 20x ./cli/
	$(BENCH) -bench 'TUIStart|TUIPlaying|SearchKey' -benchtime 10x ./cli/
	$(BENCH) -bench 'FirstFrame' ./ui/
	$(MAKE) bench-swarm

# bench-compare runs segue beside mpg123 and ffmpeg (decoding; CPU time, and
# instructions under callgrind, which the machine's load does not move), cmus
# (playing through a PulseAudio null sink: CPU, wake-ups, RSS, idle; once a
# headless player, once the real interface in tmux beside cmus at once) and
# nginx (/chunks with 64 connections and with one, on a hot set and on one
# 4.5x the origin's memory cache),
# each pair in one run, and prints one table: figure, segue, peer, ratio
# (issue 14). Everything the benchmarks print goes to stderr. About 9
# minutes.
bench-compare: deps
	{ $(BENCH) -bench 'Decode320kVsMpg123|DecodeInstructions' -benchtime 5x ./player/ && \
	  $(BENCH) -bench 'ALSAVsCmus' -benchtime 1x ./player/ && \
	  $(BENCH) -bench 'TUIVsCmus' -benchtime 3x ./cli/ && \
	  $(BENCH) -bench 'ChunksVsNginx' -benchtime 1x ./origin/; } | $(GO) run .ci/benchtable.go

# bench-swarm: 8 clients (real caches, peer endpoints, tracker, fetch chain
# on loopback) play overlapping Zipf queues in 20x compressed time, joining
# 2 s apart; prints bytes by source beside Spotify's, time to first audio
# per source (p50/p95) and stalls. SWARM_QUEUE tracks per client (default
# 120, about 4 minutes: each track is played about 16 times in the swarm; with
# 60 the first play of each track alone is 11% of the bytes).
SWARM_QUEUE ?= 120
bench-swarm: deps
	$(BENCH) -bench 'Swarm' -benchtime 1x -v ./net/peer/ -args -swarm.queue=$(SWARM_QUEUE)

# bench-abr plays a 200 s track in real time on every bandwidth trace in
# testdata/traces (side by side, about 4 minutes) through the throttling
# proxy of net/abr/abrtest, and prints one row per trace: stalls, stall ms,
# mean kbit/s against a clairvoyant oracle, switches per minute, startup
# and QoE. It fails when issue 12's acceptance does not hold. ABR_TRACES, a
# regular expression, plays only the traces it matches (ABR_TRACES=oscillation);
# ABR_LOG=DIR writes each trace's downloads, abandons and stalls to DIR/TRACE.log.
ABR_TRACES ?=
ABR_LOG ?=
bench-abr: deps
	$(BENCH) -bench '^BenchmarkABR$$' -benchtime 1x ./player/ -args -abr.traces='$(ABR_TRACES)' -abr.log='$(ABR_LOG)'

# bench-reco builds the recommender on a seeded synthetic listening history
# (origin/reco/synth_test.go: 3600 tracks, 400 listeners, album order 61%
# of the time, skips), holds out each listener's last 10 plays and prints
# hit rate@10, MRR@10, coverage and diversity beside the popularity and
# random baselines (about a minute).
bench-reco:
	$(BENCH) -bench '^BenchmarkReco$$' -benchtime 1x ./origin/reco/

# bench-scale loads /chunks through nginx (configured by segue origin
# proxy-config) in front of 1 and 2 origin replica processes, blobs in
# MinIO, the catalog in PostgreSQL, with 64 keep-alive clients: req/s,
# MB/s and nginx's cache-hit ratio with an empty cache (cold) and a filled
# one (warm); issue 18, docs/scale.md. About a minute.
bench-scale: deps
	$(BENCH) -bench '^BenchmarkChunksThroughNginx$$' -benchtime 1x ./cli/

# bench-load holds 500 connections at once to a real `segue origin serve`
# (built from this tree) on a catalog of 20,000 tracks, 30 requests each:
# searches, a three-hour track's 1.3 MB manifest, segments and catalog
# documents. It prints the origin's peak RSS and heap, its descriptors,
# latency p50/p99 by route and errors, and fails when a bound of issue 17
# does not hold (TestOriginUnderLoad is its short version in make test).
# About 3 minutes.
bench-load:
	$(BENCH) -bench '^BenchmarkOriginLoad$$' -benchtime 1x -v ./origin/

clean:
	rm -rf bin
