/* match-ref.h — the reference matcher (match-ref.c: the matcher before the speed work,
 * frozen) under ref_* names, for match-bench and match-eval --ref.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#ifdef MATCH_REF_IMPLEMENTATION
/* match-ref.c: the frozen source keeps its ridge_* names; these make them ref_* */
#define ridge_match                  ref_ridge_match
#define ridge_prepared_template_new  ref_prepared_template_new
#define ridge_prepared_template_free ref_prepared_template_free
#define ridge_prepared_template_size ref_prepared_template_size
#define ridge_match_prepared         ref_match_prepared
#define ridge_match_enrolled         ref_match_enrolled
#define ridge_match_index_new        ref_match_index_new
#define ridge_match_index_free       ref_match_index_free
#define ridge_match_index_size       ref_match_index_size
#define ridge_match_index_identify   ref_match_index_identify
#define ridge_identify               ref_identify
#define RidgePreparedTemplate        RefPreparedTemplate
#define RidgeMatchIndex              RefMatchIndex
#endif

#include "ridge-engine.h"

typedef struct RefPreparedTemplate RefPreparedTemplate;

int    ref_ridge_match (const RidgeTemplate *probe, const RidgeTemplate *gallery,
                        RidgeMatchResult *result);
int    ref_prepared_template_new (const RidgeTemplate *t, RefPreparedTemplate **out);
void   ref_prepared_template_free (RefPreparedTemplate *prepared);
size_t ref_prepared_template_size (const RefPreparedTemplate *prepared);
int    ref_match_prepared (const RefPreparedTemplate *probe, const RefPreparedTemplate *gallery,
                           RidgeMatchResult *result);
