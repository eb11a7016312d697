#ifndef ORACLED_CBENCH_SWEEP_H
#define ORACLED_CBENCH_SWEEP_H
#include <stddef.h>
#include <stdint.h>

// Plain C baseline for the margin sweep (SweepBook.sweep in Swift): the same CSR arrays,
// the same standard-model formulas. Writes equity, maintenance and initial requirement per
// account and returns how many accounts are below call_ratio (equity < call_ratio * maintenance).
//
// col_start/pos_start have n_accounts + 1 entries. asset_unit[i] is one unit of asset i in the
// margin currency (low side price * (1 - haircut); 1 for the margin currency). low/high/mid are
// per pair: valuation price for longs, for shorts, and the mark for notionals.
size_t cbench_sweep(size_t n_accounts,
                    const int32_t *col_start, const int32_t *col_asset, const double *col_amount,
                    const int32_t *pos_start, const int32_t *pos_pair, const double *pos_qty,
                    const double *pos_entry,
                    const double *asset_unit, const double *low, const double *high, const double *mid,
                    const double *mm_rate, const double *im_rate, double call_ratio,
                    double *out_equity, double *out_maintenance, double *out_initial);

#endif
