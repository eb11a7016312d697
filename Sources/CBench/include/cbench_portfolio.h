#ifndef ORACLED_CBENCH_PORTFOLIO_H
#define ORACLED_CBENCH_PORTFOLIO_H
#include <stddef.h>
#include <stdint.h>

// Plain C baseline for the portfolio requirement of one account (MarginModel.value under
// model = portfolio in Swift): the same formulas on the same precomputed snapshot.
//
// growth is n x k row-major, exp(sqrt(h) * filtered return) - 1; stress is m x k the same way.
// Positions: pair index, quantity, mark; per pair: adv (0 = none), spread and impact bps,
// maintenance rate, volatility scale and horizon sigma. Writes VaR, ES, the add-ons and the
// maintenance requirement: max(floor * standard, max(VaR, ES) + add-ons, stress_weight * stress ES, grid).
typedef struct {
    double var_confidence, es_confidence, portfolio_floor, stress_weight;
    double scenario_move, scenario_crash, max_participation, z_var;
} cbench_portfolio_policy;

typedef struct {
    double value_at_risk, expected_shortfall, liquidity, concentration, maintenance;
} cbench_portfolio_out;

void cbench_portfolio(const double *growth, size_t n, size_t k, const double *stress, size_t m,
                      size_t n_positions, const int32_t *pos_pair, const double *pos_qty, const double *mark,
                      const double *adv, const double *spread_bps, const double *impact_bps, const double *mm_rate,
                      const double *vol_scale, const double *horizon_sigma,
                      const cbench_portfolio_policy *policy, double *scratch_exposure, double *scratch_tail,
                      cbench_portfolio_out *out);

#endif
