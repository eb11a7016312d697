#ifndef ORACLED_CBENCH_AGGREGATE_H
#define ORACLED_CBENCH_AGGREGATE_H

#include <stdint.h>

/// Straightforward C median/MAD outlier filter alone (oracled-bench `aggregate_filter_c_ns_per_pair`).
///
/// median m of values; MAD = median |v - m|; with n >= 3 drop v where
/// |v - m| > max(k * 1.4826 * MAD, floor_bps * m / 1e4); returns the median of the kept values
/// and stores their count in *kept_out (when not NULL). Returns NaN for n <= 0.
double cbench_aggregate(const double *values, int n, double k, double floor_bps, int *kept_out);

/// The whole per-pair cycle in plain C: the baseline `MarkEngine.cycle` is measured against
/// (oracled-bench `aggregate_c_ns_per_pair`). Same rules as the Swift engine, including frozen
/// detection, minus reason strings and cross rates (no C caller needs them), so the comparison
/// favours C.

/// `CBENCH_NO_TS` marks an absent venue timestamp; bid/ask/last are NaN when absent.
#define CBENCH_NO_TS INT64_MIN

typedef struct {
    double bid, ask, last;
    int64_t venue_ts_ms;   /* CBENCH_NO_TS when the venue sent none */
    int64_t received_ms;
    uint64_t response_seq; /* increments per new response (frozen detection counts responses) */
    int is_error;          /* the response was a venue error */
} cbench_source_in;

/// Per-source memory across cycles for frozen detection (zero-initialise).
typedef struct {
    uint64_t last_seq;
    int has_seq, has_value, has_ts;
    double value;
    int64_t ts;
    int repeats;
    uint64_t changes_at_run_start;
} cbench_source_state;

typedef enum { CBENCH_USED, CBENCH_OUTLIER, CBENCH_STALE, CBENCH_FROZEN, CBENCH_ERROR } cbench_verdict;
typedef enum { CBENCH_OK, CBENCH_DEGRADED, CBENCH_HELD, CBENCH_UNAVAILABLE } cbench_status;

typedef struct {
    double value;          /* NaN when none */
    int64_t time_ms;       /* venue time if known, else receipt; CBENCH_NO_TS when none */
    cbench_verdict verdict;
} cbench_source_out;

/// In/out: the previous mark is the hold state (a held price keeps its own time).
typedef struct {
    double price, confidence;      /* NaN when unavailable */
    int64_t updated_ms;            /* CBENCH_NO_TS when never priced */
    uint64_t seq;
    cbench_status status;
    int used, total;
    uint64_t pair_changes;         /* value changes seen across the pair's sources */
} cbench_mark;

typedef struct {
    int min_sources, frozen_cycles;
    int64_t max_age_ms, max_hold_ms, max_future_skew_ms;
    double mad_k, mad_floor_bps, dispersion_bps, max_spread_bps;
} cbench_policy;

/// One pair, one cycle: value per source (mid of a sane uncrossed book within the spread limit,
/// else last), value sanity, future skew, staleness (venue then receipt time), median/MAD filter,
/// frozen (same value and venue time for frozen_cycles new responses while another source
/// moved), status (quorum, dispersion, hold). `n` <= 64; `state` and `out` hold n entries.
void cbench_aggregate_pair(const cbench_source_in *in, int n, const cbench_policy *policy, int64_t now_ms,
                           cbench_source_state *state, cbench_source_out *out, cbench_mark *mark);

#endif
