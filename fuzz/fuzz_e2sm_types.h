/*
 * fuzz_e2sm_types.h -- the E2SM top-level types fuzz_e2sm tests, indexed by its first input
 * byte (modulo the count); gen_corpus writes seeds with the same index.  Append only: the
 * committed seeds depend on the order.
 */
#ifndef KIZUNA_FUZZ_E2SM_TYPES_H
#define KIZUNA_FUZZ_E2SM_TYPES_H

#include "kizuna/e2sm_kpm_types.h"
#include "kizuna/e2sm_rc_types.h"

static const kz_asn_type *const kz_fuzz_e2sm_types[] = {
    &kz_kpm_E2SM_KPM_EventTriggerDefinition_desc,
    &kz_kpm_E2SM_KPM_ActionDefinition_desc,
    &kz_kpm_E2SM_KPM_IndicationHeader_desc,
    &kz_kpm_E2SM_KPM_IndicationMessage_desc,
    &kz_kpm_E2SM_KPM_RANfunction_Description_desc,
    &kz_rc_E2SM_RC_EventTrigger_desc,
    &kz_rc_E2SM_RC_ActionDefinition_desc,
    &kz_rc_E2SM_RC_IndicationHeader_desc,
    &kz_rc_E2SM_RC_IndicationMessage_desc,
    &kz_rc_E2SM_RC_CallProcessID_desc,
    &kz_rc_E2SM_RC_ControlHeader_desc,
    &kz_rc_E2SM_RC_ControlMessage_desc,
    &kz_rc_E2SM_RC_ControlOutcome_desc,
    &kz_rc_E2SM_RC_RANFunctionDefinition_desc,
};
#define KZ_FUZZ_N_E2SM_TYPES (sizeof kz_fuzz_e2sm_types / sizeof kz_fuzz_e2sm_types[0])

#endif
