#define SEGUE_MAX_SEGS 8
extern int segue_shape_folio_pages, segue_shape_reshaped, segue_shape_prefetched;
extern long segue_shape_cached_pages, segue_shape_segment_pages;
// SEGUE_PREFETCH_READ is the prefetch's read size (see prefetch).
#define SEGUE_PREFETCH_READ (1 << 20)
// SEGUE_FOLIO_PAGES_KEPT: folios up to this many pages are left as they
// are: what the prefetch's reads and a copy's writes cache (64 KiB).
#define SEGUE_FOLIO_PAGES_KEPT 16
