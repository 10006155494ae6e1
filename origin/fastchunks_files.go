package origin

import (
	"container/list"
	"fmt"
	"io"
	"os"
	"sync"
	"syscall"

	"github.com/valyala/fasthttp"
)

// Bounds of openFiles: it keeps the files of at most
// openBlobsFor(MaxConns) blobs, at most maxFilesPerBlob each. Keeping
// every blob of BenchmarkChunksVsNginx/large's set open (4026 blobs, 4.5x
// the memory cache) served it at 30-31 µs of CPU a request and a
// one-connection p50 1.12-1.21x nginx's, against 33-38 µs and 1.31-1.35x
// with 512 blobs (issue 14): a blob missing the cache costs an open(2),
// fstat(2) and close(2), and evicting the least recently used one.
const (
	minOpenBlobs    = 64
	maxOpenBlobs    = 8192 // about 1.5 MB of bookkeeping
	maxFilesPerBlob = 2
	fdReserve       = 256 // descriptors left for the database, logs and listeners
)

// openBlobsFor returns how many blobs' files openFiles may keep in a
// process serving up to maxConns connections: half the descriptors its
// limit (RLIMIT_NOFILE, which Go raises to the hard limit at start) leaves
// beyond those connections and fdReserve, at maxFilesPerBlob each, between
// minOpenBlobs and maxOpenBlobs. A limit of 20000 and 1024 connections
// give 4680.
func openBlobsFor(maxConns int) int {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return minOpenBlobs
	}
	n := (int(min(lim.Cur, 1<<20)) - maxConns - fdReserve) / 2 / maxFilesPerBlob
	return min(max(n, minOpenBlobs), maxOpenBlobs)
}

// openFiles keeps the files of recently served blobs open, as nginx's
// open_file_cache does, so the fast path sends a hot segment with
// sendfile(2) and no open(2), fstat(2) or close(2): its bytes stay in the
// kernel's page cache and are never copied. Sending the memory cache's
// bytes instead copied every one of them into the socket, the largest
// cost left (issue 14). A file is lent to one request at a time (take),
// because fasthttp's sendfile(2) reads from the file's own offset (the
// fast connection's, from an offset of its own, leaves it at 0), and
// comes back at its start when fasthttp closes the body (keptFile.Close);
// a blob asked for by several requests at once has several files. The least recently
// used blobs' files are closed first. A blob's bytes never change under
// its hash, so a kept file is never stale; one whose blob was
// garbage-collected is still served until it is closed, which is harmless
// (the bytes still match the hash).
type openFiles struct {
	mu  sync.Mutex               // guards ll and m
	ll  *list.List               // of *keptFiles, most recent first
	m   map[string]*list.Element // hash -> element of ll
	max int                      // blobs kept at most
}

// keptFiles are the idle open files of one blob, and its type (read once,
// when its first file was opened). A blob whose files are all lent keeps
// its entry (with none idle), so that lending and giving back a file,
// what every request does, allocate nothing.
type keptFiles struct {
	hash  string
	size  int64
	typ   blobType
	files []*keptFile
}

// newOpenFiles keeps the files of up to n blobs.
func newOpenFiles(n int) *openFiles {
	return &openFiles{ll: list.New(), m: map[string]*list.Element{}, max: n}
}

// take lends an idle open file of hash, at its start, and returns the
// blob's type; f is nil when none is idle. known tells whether o knows
// the type (it keeps the blob's entry) when f is nil.
func (o *openFiles) take(hash string) (f *keptFile, typ blobType, known bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	e, ok := o.m[hash]
	if !ok {
		return nil, 0, false
	}
	k := e.Value.(*keptFiles)
	if len(k.files) == 0 {
		return nil, k.typ, true
	}
	f = k.files[len(k.files)-1]
	k.files = k.files[:len(k.files)-1]
	f.moved = false
	return f, k.typ, true
}

// lend wraps a file just opened for hash, at its start, so that closing
// it keeps it. The blob's type is typ when known, else read from the
// file's first bytes (pread(2), which leaves its offset); an error there
// closes f.
func (o *openFiles) lend(hash string, f *os.File, size int64, typ blobType, known bool) (*keptFile, error) {
	if !known {
		var head [sniffHead]byte
		n, err := f.ReadAt(head[:min(int64(len(head)), size)], 0)
		if err != nil && err != io.EOF {
			f.Close()
			return nil, fmt.Errorf("read the first bytes of blob %s for its type: %w", hash, err)
		}
		typ = sniffBlob(head[:n])
	}
	fd := -1
	if rc, err := f.SyscallConn(); err == nil {
		rc.Control(func(d uintptr) { fd = int(d) })
	}
	return &keptFile{File: f, fd: fd, hash: hash, size: size, typ: typ, files: o}, nil
}

// give keeps f as an idle file of its blob, rewound when its offset
// moved, or closes it when the blob has enough; the least recently used
// blobs beyond o.max are closed.
func (o *openFiles) give(f *keptFile) {
	if f.moved {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			f.File.Close()
			return
		}
	}
	// The connection and the request are not kept with it.
	f.to, f.srv, f.req, f.sent = nil, nil, nil, 0
	var gone []*keptFile // closed once the lock is let go
	o.mu.Lock()
	e, ok := o.m[f.hash]
	if !ok {
		e = o.ll.PushFront(&keptFiles{hash: f.hash, size: f.size, typ: f.typ})
		o.m[f.hash] = e
	}
	o.ll.MoveToFront(e)
	k := e.Value.(*keptFiles)
	if len(k.files) < maxFilesPerBlob {
		k.files = append(k.files, f)
	} else {
		gone = append(gone, f)
	}
	for o.ll.Len() > o.max {
		old := o.ll.Remove(o.ll.Back()).(*keptFiles)
		delete(o.m, old.hash)
		gone = append(gone, old.files...)
	}
	o.mu.Unlock()
	for _, f := range gone {
		f.File.Close()
	}
}

// keptFile is an open blob file lent to one response. It is the *os.File
// (so fasthttp's copy reaches sendfile(2)); Close gives it back. (Corking
// the headers with the file with TCP_CORK, as serveBlob does, cost two
// setsockopt(2) a request; the fast connection sends them with MSG_MORE
// instead, see fastConn.)
type keptFile struct {
	*os.File
	fd    int  // the file's descriptor, for sendfile(2) (-1 when it has none)
	warm  bool // it was sent whole: its pages were read
	hash  string
	size  int64
	typ   blobType
	files *openFiles
	to    *fastConn // set once the response head was flushed: WriteTo sends the file on it itself
	moved bool      // the file's offset moved (fasthttp read or sent it)

	// Set with to: the request Close logs once the body went out, so
	// that a lone client does not wait for the log line (fastLog), and
	// how many bytes went.
	srv  *Server
	req  *fasthttp.RequestCtx
	sent int64
}

// WriteTo sends the file: on k.to, from offset 0 (the head is already
// there, and w, fasthttp's body writer over the same connection, holds
// nothing); otherwise to w, bounded by its size: fasthttp then finds the
// *os.File inside the io.LimitedReader and sends it with one sendfile(2),
// and needs no read(2) after it to see that the body ended (it probes a
// bare stream for bytes past its size).
func (k *keptFile) WriteTo(w io.Writer) (int64, error) {
	var n int64
	var err error
	if k.to != nil && k.fd >= 0 {
		n, err = k.to.sendFile(k.fd, k.size, k.warm)
	} else {
		k.moved = true
		n, err = io.Copy(w, &io.LimitedReader{R: k.File, N: k.size})
	}
	k.warm = k.warm || (err == nil && n == k.size)
	k.sent = n
	return n, err
}

// SupportsBodyWriteTo tells fasthttp to send the body with WriteTo.
func (k *keptFile) SupportsBodyWriteTo() bool { return true }

// Close gives the file back to be kept (see openFiles.give); the
// response that had it no longer uses it.
func (k *keptFile) Close() error {
	if k.srv != nil {
		k.srv.fastLog(k.req, k.hash, k.sent)
	}
	k.files.give(k)
	return nil
}
