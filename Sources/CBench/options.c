#include "cbench_options.h"
#include <math.h>

static inline double ncdf(double x) { return 0.5 * erfc(-x * 0.70710678118654752440); }
static inline double npdf(double x) { return exp(-0.5 * x * x) * 0.39894228040143267794; }

void cbench_black76(int is_call, double f, double k, double sigma, double t, double r, cbench_greeks *o) {
    double s = is_call ? 1.0 : -1.0;
    if (t <= 0) {
        double m = s * (f - k);
        o->price = m > 0 ? m : 0;
        o->delta = m > 0 ? s : (f == k ? 0.5 * s : 0);
        o->gamma = o->vega = o->theta = o->rho = 0;
        return;
    }
    double disc = r == 0 ? 1 : exp(-r * t), sqrt_t = sqrt(t), sd = sigma * sqrt_t;
    if (!(sd >= 1e-12)) {
        double m = s * (f - k), itm = m > 0 ? 1 : (f == k ? 0.5 : 0);
        o->price = disc * (m > 0 ? m : 0);
        o->delta = disc * s * itm;
        o->gamma = 0;
        o->vega = f == k ? disc * f * 0.39894228040143267794 * sqrt_t / 100 : 0;
        o->theta = r * o->price / 365.0;
        o->rho = s * k * t * itm * disc / 100;
        return;
    }
    double d1 = (log(f / k) + 0.5 * sd * sd) / sd, d2 = d1 - sd;
    double nd1 = ncdf(s * d1), nd2 = ncdf(s * d2), pd1 = npdf(d1);
    double price = disc * s * (f * nd1 - k * nd2);
    double vega = disc * f * pd1 * sqrt_t;
    o->price = price > 0 ? price : 0;
    o->delta = disc * s * nd1;
    o->gamma = disc * pd1 / (f * sd);
    o->vega = vega / 100;
    o->theta = (r * price - vega * sigma / (2 * t)) / 365.0;
    o->rho = s * k * t * nd2 * disc / 100;
}

double cbench_black76_price(int is_call, double f, double k, double sigma, double t, double r) {
    double s = is_call ? 1.0 : -1.0;
    if (t <= 0) { double m = s * (f - k); return m > 0 ? m : 0; }
    double disc = r == 0 ? 1 : exp(-r * t), sd = sigma * sqrt(t);
    if (!(sd >= 1e-12)) { double m = s * (f - k); return disc * (m > 0 ? m : 0); }
    double d1 = (log(f / k) + 0.5 * sd * sd) / sd;
    double p = disc * s * (f * ncdf(s * d1) - k * ncdf(s * (d1 - sd)));
    return p > 0 ? p : 0;
}

double cbench_option_grid(size_t n, const int *is_call, const double *strike, const double *years,
                          const double *sigma, const double *qty, double linear_qty, double f,
                          const cbench_grid_policy *p, double *table, cbench_greeks *g) {
    int steps = p->steps, points = 2 * steps + 1;
    double extremes[4] = {0, 0, 0, 0}, short_min = 0;
    double ext_move[4];
    for (int e = 0; e < 4; e++) {
        double m = p->extreme_multiple * p->range;
        ext_move[e] = e >= 2 ? m : -(m < p->max_down ? m : p->max_down);
    }
    for (int x = 0; x < 3 * points; x++) table[x] = 0;
    g->price = g->delta = g->gamma = g->vega = g->theta = g->rho = 0;
    for (int m = 0; m < points; m++) {
        double mv = f * ((double)(m - steps) / steps * p->range);
        for (int v = 0; v < 3; v++) table[v * points + m] += linear_qty * mv;
    }
    for (int e = 0; e < 4; e++) extremes[e] += linear_qty * f * ext_move[e];
    g->delta += linear_qty;
    for (size_t i = 0; i < n; i++) {
        cbench_greeks now;
        cbench_black76(is_call[i], f, strike[i], sigma[i], years[i], 0, &now);
        double q = qty[i];
        g->price += q * now.price; g->delta += q * now.delta; g->gamma += q * now.gamma;
        g->vega += q * now.vega; g->theta += q * now.theta; g->rho += q * now.rho;
        if (q < 0 && years[i] > 0) short_min += p->short_minimum * f * -q;   // expired options settle
        double days = years[i] * 365.0;
        double scale = days > 0 ? pow(30.0 / days, p->shock_exponent) : p->shock_cap;
        if (scale > p->shock_cap) scale = p->shock_cap;
        double factor[3] = {1 - p->vol_down * scale, 1, 1 + p->vol_up * scale};
        for (int v = 0; v < 3; v++) {
            double s = sigma[i] * factor[v];
            if (s > 10) s = 10;
            for (int m = 0; m < points; m++) {
                double fm = f * (1 + (double)(m - steps) / steps * p->range);
                table[v * points + m] += q * (cbench_black76_price(is_call[i], fm, strike[i], s, years[i], 0) - now.price);
            }
        }
        for (int e = 0; e < 4; e++) {
            double s = sigma[i] * factor[e % 2 == 1 ? 2 : 1];
            if (s > 10) s = 10;
            extremes[e] += q * (cbench_black76_price(is_call[i], f * (1 + ext_move[e]), strike[i], s, years[i], 0) - now.price);
        }
    }
    double worst = 0;
    for (int x = 0; x < 3 * points; x++) if (-table[x] > worst) worst = -table[x];
    for (int e = 0; e < 4; e++) if (-p->extreme_weight * extremes[e] > worst) worst = -p->extreme_weight * extremes[e];
    return worst > short_min ? worst : short_min;
}
