#ifndef ORACLED_CBENCH_H
#define ORACLED_CBENCH_H
// Straightforward C baselines the Swift hot paths are measured against (see oracled-bench).
#include "cbench_aggregate.h"
#include "cbench_sweep.h"
#include "cbench_portfolio.h"
#include "cbench_options.h"
#endif
