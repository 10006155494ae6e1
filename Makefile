# segue — every Go command carries -tags sqlite_fts5 (FTS5 search).
GO      ?= go
TAGS    := -tags sqlite_fts5
BIN     := bin/segue
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Debian packages: ffmpeg for ingest, ALSA headers for output, PulseAudio and
# the ALSA plugins for the headless audio test, nginx for the /chunks
# benchmark, tmux for the real-terminal test.
DEBS    := ffmpeg libasound2-dev alsa-utils pulseaudio pulseaudio-utils \
           libasound2-plugins nginx-light tmux pkg-config gcc

.PHONY: all deps build test demo bench fuzz clean

all: build

deps:
	@missing=""; for p in $(DEBS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@command -v $(GO) >/dev/null || { echo "Go is missing: install Go 1.26 from your distribution or go.dev"; exit 1; }

build: deps
	$(GO) build $(TAGS) -o $(BIN) .

test: deps
	$(GO) vet $(TAGS) ./...
	$(GO) test $(TAGS) -timeout 40m ./...
	$(MAKE) fuzz FUZZTIME=20s

# fuzz runs every fuzzer for FUZZTIME each (go test -fuzz takes one at a time).
FUZZTIME ?= 60s
fuzz:
	@set -e; for pkg in $$(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u); do \
	  for f in $$(grep -h '^func Fuzz' $$pkg/*_test.go | sed 's/func \(Fuzz[A-Za-z0-9_]*\).*/\1/'); do \
	    echo "fuzz $$pkg $$f ($(FUZZTIME))"; \
	    $(GO) test $(TAGS) -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg > /tmp/segue-fuzz.log 2>&1 || { cat /tmp/segue-fuzz.log; exit 1; }; \
	  done; \
	done
demo: build
	./$(BIN) demo

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
	$(BENCH) -bench 'TUI|SearchKey' -benchtime 10x ./cli/
	$(BENCH) -bench 'FirstFrame' ./ui/

clean:
	rm -rf bin
