#ifndef ORACLED_CBENCH_OPTIONS_H
#define ORACLED_CBENCH_OPTIONS_H
#include <stddef.h>

// Plain C baselines for Black-76 (OracleCore/Options/Black76.swift) and the option scenario grid
// (ScenarioGrid.swift) for one underlying: the same formulas, units and limits, no validation.

typedef struct { double price, delta, gamma, vega, theta, rho; } cbench_greeks;

// Price and Greeks of one option (is_call 1/0), forward f, strike k, vol sigma, years t, rate r.
void cbench_black76(int is_call, double f, double k, double sigma, double t, double r, cbench_greeks *out);
double cbench_black76_price(int is_call, double f, double k, double sigma, double t, double r);

typedef struct {
    double range;            // ± price move (0.16)
    int steps;               // points per side (8)
    double vol_up, vol_down; // relative shocks at 30 days (0.45, 0.30)
    double shock_exponent, shock_cap; // (30/days)^0.3 capped at 2
    double extreme_multiple, extreme_weight, max_down; // 3, 0.33, 0.95
    double short_minimum;    // 0.01
} cbench_grid_policy;

// Requirement of n options (plus a linear quantity) on one underlying at forward f: worst weighted
// loss over (2·steps+1) moves × 3 vol states + 4 extremes, or the short-option minimum if larger.
// table needs 3·(2·steps+1) doubles; greeks_out receives the summed account Greeks.
double cbench_option_grid(size_t n, const int *is_call, const double *strike, const double *years,
                          const double *sigma, const double *qty, double linear_qty, double f,
                          const cbench_grid_policy *p, double *table, cbench_greeks *greeks_out);

#endif
