#include "cbench_aggregate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Insertion sort for the handful of values a pair has, qsort beyond; same split as the Swift side. */
static void sort_doubles(double *v, int n) {
    if (n > 16) {
        qsort(v, (size_t)n, sizeof(double), cmp_double);
        return;
    }
    for (int i = 1; i < n; i++) {
        double x = v[i];
        int j = i - 1;
        while (j >= 0 && v[j] > x) {
            v[j + 1] = v[j];
            j--;
        }
        v[j + 1] = x;
    }
}

static double sorted_median(const double *v, int n) {
    return (n % 2) ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

double cbench_aggregate(const double *values, int n, double k, double floor_bps, int *kept_out) {
    if (n <= 0) {
        if (kept_out) *kept_out = 0;
        return NAN;
    }
    double stack_buf[64];
    double *buf = n <= 32 ? stack_buf : malloc(2 * (size_t)n * sizeof(double));
    if (!buf) {
        if (kept_out) *kept_out = 0;
        return NAN;
    }
    double *sorted = buf, *dev = buf + n;

    memcpy(sorted, values, (size_t)n * sizeof(double));
    sort_doubles(sorted, n);
    double m = sorted_median(sorted, n);

    for (int i = 0; i < n; i++) dev[i] = fabs(values[i] - m);
    sort_doubles(dev, n);
    double mad = sorted_median(dev, n);

    double cut = INFINITY;
    if (n >= 3) cut = fmax(k * 1.4826 * mad, floor_bps * m / 1e4);

    int c = 0;
    for (int i = 0; i < n; i++)
        if (fabs(values[i] - m) <= cut) sorted[c++] = values[i];
    double price = m;
    if (c > 0) {
        sort_doubles(sorted, c);
        price = sorted_median(sorted, c);
    }
    if (kept_out) *kept_out = c;
    if (buf != stack_buf) free(buf);
    return price;
}

/* ---- whole per-pair cycle ---- */

#define MIN_VALUE 1e-12
#define MAX_VALUE 1e12

static int plausible(double v) { return v >= MIN_VALUE && v <= MAX_VALUE; } /* NaN fails */

/* Saturating a - b, like the Swift side's span(). */
static int64_t span(int64_t a, int64_t b) {
    int64_t d;
    if (__builtin_sub_overflow(a, b, &d)) return a > b ? INT64_MAX : INT64_MIN;
    return d;
}

/* Mid of a sane, uncrossed book within the spread limit; else last (only when there is no
   book at all or the book is unusable); NaN when no usable value. */
static double source_value(const cbench_source_in *s, double max_spread_bps) {
    if (plausible(s->bid) && plausible(s->ask) && s->bid <= s->ask) {
        double mid = s->bid + (s->ask - s->bid) / 2;
        if ((s->ask - s->bid) / mid * 1e4 <= max_spread_bps) return mid;
    }
    if (plausible(s->last)) return s->last;
    return NAN;
}

/* Frozen bookkeeping for one new response; has_value = 0 for an error or rejected quote. */
static void frozen_observe(cbench_source_state *st, uint64_t seq, int has_value, double v, int has_ts, int64_t ts,
                           uint64_t *pair_changes) {
    if (st->has_seq && st->last_seq == seq) return;
    st->last_seq = seq;
    st->has_seq = 1;
    if (!has_value) return;
    if (!st->has_value) {
        st->has_value = 1;
    } else if (v == st->value && has_ts == st->has_ts && (!has_ts || ts == st->ts)) {
        st->repeats++;
        return;
    } else {
        (*pair_changes)++;
    }
    st->value = v;
    st->has_ts = has_ts;
    st->ts = ts;
    st->repeats = 0;
    st->changes_at_run_start = *pair_changes;
}

void cbench_aggregate_pair(const cbench_source_in *in, int n, const cbench_policy *p, int64_t now_ms,
                           cbench_source_state *state, cbench_source_out *out, cbench_mark *mark) {
    double values[64], sorted[64], dev[64];
    int slot[64];
    int c = 0;
    if (n > 64) n = 64;

    for (int k = 0; k < n; k++) {
        const cbench_source_in *s = &in[k];
        cbench_source_out *o = &out[k];
        o->value = NAN;
        o->time_ms = s->received_ms;
        int has_ts = s->venue_ts_ms != CBENCH_NO_TS;
        if (s->is_error) {
            frozen_observe(&state[k], s->response_seq, 0, 0, 0, 0, &mark->pair_changes);
            o->verdict = CBENCH_ERROR;
            continue;
        }
        if (has_ts) o->time_ms = s->venue_ts_ms;
        double v = source_value(s, p->max_spread_bps);
        if (isnan(v)) {
            frozen_observe(&state[k], s->response_seq, 0, 0, 0, 0, &mark->pair_changes);
            o->verdict = CBENCH_ERROR;
            continue;
        }
        frozen_observe(&state[k], s->response_seq, 1, v, has_ts, s->venue_ts_ms, &mark->pair_changes);
        o->value = v;
        if (s->venue_ts_ms != CBENCH_NO_TS) {
            if (span(s->venue_ts_ms, now_ms) > p->max_future_skew_ms) {
                o->verdict = CBENCH_ERROR;
                continue;
            }
            if (span(now_ms, s->venue_ts_ms) > p->max_age_ms) {
                o->verdict = CBENCH_STALE;
                continue;
            }
        }
        if (span(now_ms, s->received_ms) > p->max_age_ms) {
            o->verdict = CBENCH_STALE;
            continue;
        }
        o->verdict = CBENCH_USED;
        values[c] = v;
        slot[c] = k;
        c++;
    }

    /* frozen, once every source has been observed */
    int u = 0;
    for (int i = 0; i < c; i++) {
        const cbench_source_state *st = &state[slot[i]];
        if (p->frozen_cycles > 0 && st->repeats >= p->frozen_cycles && mark->pair_changes > st->changes_at_run_start) {
            out[slot[i]].verdict = CBENCH_FROZEN;
            continue;
        }
        values[u] = values[i];
        slot[u] = slot[i];
        u++;
    }
    c = u;

    mark->total = n;
    if (c == 0) {
        mark->used = 0;
        if (mark->updated_ms != CBENCH_NO_TS && span(now_ms, mark->updated_ms) <= p->max_hold_ms) {
            mark->status = CBENCH_HELD;
        } else {
            mark->status = CBENCH_UNAVAILABLE;
            mark->price = NAN;
            mark->confidence = NAN;
        }
        return;
    }

    /* median / MAD filter */
    memcpy(sorted, values, (size_t)c * sizeof(double));
    sort_doubles(sorted, c);
    double m = sorted_median(sorted, c);
    for (int i = 0; i < c; i++) dev[i] = fabs(values[i] - m);
    sort_doubles(dev, c);
    double mad = sorted_median(dev, c);
    double cut = INFINITY;
    if (c >= 3) cut = fmax(p->mad_k * 1.4826 * mad, p->mad_floor_bps * m / 1e4);

    int kept = 0;
    for (int i = 0; i < c; i++) {
        if (fabs(values[i] - m) <= cut) {
            sorted[kept++] = values[i];
        } else {
            out[slot[i]].verdict = CBENCH_OUTLIER;
        }
    }
    /* kept >= 1 always holds with mad_k >= 1 */
    sort_doubles(sorted, kept);
    double price = sorted_median(sorted, kept);
    double lo = sorted[0], hi = sorted[kept - 1];
    double half_range = (hi - lo) / 2;
    double conf = half_range;
    if (kept == 2) conf = fmax(half_range, 1.4826 * half_range / sqrt(2.0));

    mark->price = price;
    mark->confidence = conf;
    mark->used = kept;
    mark->updated_ms = now_ms;
    mark->seq++;
    mark->status = CBENCH_OK;
    if (kept < p->min_sources) mark->status = CBENCH_DEGRADED;
    if ((hi - lo) / price * 1e4 > p->dispersion_bps) mark->status = CBENCH_DEGRADED;
}
