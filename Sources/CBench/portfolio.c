#include "cbench_portfolio.h"
#include <math.h>

static size_t tail_count(size_t n, double confidence) {
    double c = ceil((1.0 - confidence) * (double)n - 1e-9);
    size_t m = c < 1 ? 1 : (size_t)c;
    return m > n ? n : m;
}

// The worst `want` losses of exposure e over rows of g, descending, into tail.
static void worst(const double *g, size_t n, size_t k, const double *e, size_t want, double *tail) {
    for (size_t j = 0; j < want; j++) tail[j] = -INFINITY;
    for (size_t t = 0; t < n; t++) {
        const double *row = g + t * k;
        double pnl = 0;
        for (size_t i = 0; i < k; i++) pnl += e[i] * row[i];
        double loss = -pnl;
        if (isnan(loss)) loss = INFINITY;
        if (!(loss > tail[want - 1])) continue;
        size_t j = want - 1;
        while (j > 0 && tail[j - 1] < loss) { tail[j] = tail[j - 1]; j--; }
        tail[j] = loss;
    }
}

void cbench_portfolio(const double *growth, size_t n, size_t k, const double *stress, size_t m,
                      size_t n_positions, const int32_t *pos_pair, const double *pos_qty, const double *mark,
                      const double *adv, const double *spread_bps, const double *impact_bps, const double *mm_rate,
                      const double *vol_scale, const double *horizon_sigma,
                      const cbench_portfolio_policy *p, double *e, double *tail,
                      cbench_portfolio_out *out) {
    double standard = 0, liquidity = 0, concentration = 0;
    for (size_t i = 0; i < k; i++) e[i] = 0;
    for (size_t j = 0; j < n_positions; j++) {
        int32_t i = pos_pair[j];
        double q = pos_qty[j], px = mark[i], aq = fabs(q), notional = aq * px;
        e[i] += q * px;
        standard += notional * mm_rate[i];
        if (adv[i] > 0) {
            liquidity += notional * (spread_bps[i] + impact_bps[i] * vol_scale[i] * sqrt(aq / adv[i])) / 10000.0;
            double days = aq / (p->max_participation * adv[i]);
            if (days > 1) concentration += notional * p->z_var * horizon_sigma[i] * (sqrt(days) - 1);
        }
    }
    size_t mv = tail_count(n, p->var_confidence), me = tail_count(n, p->es_confidence);
    size_t want = mv > me ? mv : me;
    worst(growth, n, k, e, want, tail);
    double var = tail[mv - 1], es = 0;
    for (size_t j = 0; j < me; j++) es += tail[j];
    es /= (double)me;
    double stress_es = 0;
    if (m > 0) {
        size_t ms = tail_count(m, p->es_confidence);
        worst(stress, m, k, e, ms, tail);
        for (size_t j = 0; j < ms; j++) stress_es += tail[j];
        stress_es /= (double)ms;
    }
    double grid = 0, total = 0;
    for (size_t i = 0; i < k; i++) {
        double a = fabs(e[i]) * p->scenario_move;
        if (a > grid) grid = a;
        total += e[i];
    }
    if (fabs(total) * p->scenario_crash > grid) grid = fabs(total) * p->scenario_crash;
    double v = var > 0 ? var : 0, s = es > 0 ? es : 0;
    double req = (v > s ? v : s) + liquidity + concentration;
    double fl = p->portfolio_floor * standard;
    if (fl > req) req = fl;
    double st = p->stress_weight * (stress_es > 0 ? stress_es : 0);
    if (st > req) req = st;
    if (grid > req) req = grid;
    out->value_at_risk = v;
    out->expected_shortfall = s;
    out->liquidity = liquidity;
    out->concentration = concentration;
    out->maintenance = req;
}
