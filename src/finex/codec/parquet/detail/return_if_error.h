// PQ_RETURN_IF_ERROR for the Parquet codec's hot paths.
// Thread-safety: a macro.
#pragma once

#include "finex/core/status.h"

// Like FINEX_RETURN_IF_ERROR, but binds the returned Status by value so an OK
// status is never copied (the codec's decode path runs it ~100 times per file).
#define PQ_RETURN_IF_ERROR(expr)              \
  do {                                        \
    ::finex::Status pq_status_ = (expr);      \
    if (!pq_status_.ok()) return pq_status_;  \
  } while (0)
