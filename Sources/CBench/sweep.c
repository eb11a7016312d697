#include "cbench_sweep.h"
#include <math.h>

size_t cbench_sweep(size_t n_accounts,
                    const int32_t *col_start, const int32_t *col_asset, const double *col_amount,
                    const int32_t *pos_start, const int32_t *pos_pair, const double *pos_qty,
                    const double *pos_entry,
                    const double *asset_unit, const double *low, const double *high, const double *mid,
                    const double *mm_rate, const double *im_rate, double call_ratio,
                    double *out_equity, double *out_maintenance, double *out_initial) {
    size_t below = 0;
    for (size_t a = 0; a < n_accounts; a++) {
        double eq = 0, mm = 0, im = 0;
        for (int32_t c = col_start[a]; c < col_start[a + 1]; c++)
            eq += col_amount[c] * asset_unit[col_asset[c]];
        for (int32_t k = pos_start[a]; k < pos_start[a + 1]; k++) {
            int32_t p = pos_pair[k];
            double q = pos_qty[k];
            double side = q > 0 ? low[p] : high[p];
            eq += q * (side - pos_entry[k]);
            double notional = fabs(q) * mid[p];
            mm += notional * mm_rate[p];
            im += notional * im_rate[p];
        }
        out_equity[a] = eq;
        out_maintenance[a] = mm;
        out_initial[a] = im;
        if (eq < call_ratio * mm) below++;
    }
    return below;
}
