/*
 * fuzz_common.h -- the properties every Kizuna codec fuzzer checks, shared by the libFuzzer
 * targets in this folder (fuzz_e2ap, fuzz_e2sm, fuzz_json).
 *
 * A violated property calls abort() after printing what was violated and where, so libFuzzer
 * saves the input as a crash artifact.  What is a violation, and what is not:
 *
 *  1. decode(bytes) may fail on any input, but never crash, hang or leak.
 *  2. If it succeeds, encode(value) must succeed -- unless the value holds parts the decoder
 *     kept without understanding them: an unknown CHOICE extension alternative (or procedure)
 *     is kept as `present` beyond the known ones, with no content, so there is nothing to write
 *     back and the encoder refuses it (KZ_ECHOICE); that is the "be liberal in what you
 *     accept" rule working, not a bug.  An unknown ENUMERATED extension value is kept as its
 *     index and re-encodes, so it does not excuse a failed encode.  Unknown SEQUENCE extension
 *     additions and unknown IEs are dropped on decode, so they cannot make the encode fail.
 *     Nor is it a bug when a mandatory IE of criticality ignore or notify was missing: E2AP
 *     10.3.5 has the receiver go on without it, the decode lists it in kz_asn_diag.ies
 *     (KZ_TOE_MISSING) and leaves the field zeroed, which the encoder may refuse.
 *  3. decode(encode(value)) must succeed and equal the value (kz_asn_equal), and encoding that
 *     again must give the same bytes (our output is a fixed point: canonical).
 *  4. to_json(value), printed and parsed back as text, must give back an equal value through
 *     from_json -- unless the value holds unknown parts (an unknown ENUMERATED value prints as
 *     a number, an unknown alternative as "unknown-extension-N": neither has a name to read).
 */
#ifndef KIZUNA_FUZZ_COMMON_H
#define KIZUNA_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "kizuna/asn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* True if the decoded value v of type t holds an unknown CHOICE alternative, procedure or
 * ENUMERATED extension value anywhere. */
bool kz_fuzz_has_unknown(const kz_asn_type *t, const void *v);

/* Properties 1-4 for bytes that should be a value of type t.  arena_cap: the arena the decode
 * gets; enomem_is_bug: whether running out of it violates a documented bound (E2AP's
 * KZ_E2AP_ARENA_FOR) or is the graceful refusal of a hostile input (E2SMs).  Returns the
 * decoded value's outcome: 0 decoded, else the decode error. */
int kz_fuzz_roundtrip(const kz_asn_type *t, const uint8_t *data, size_t size, size_t arena_cap,
                      bool enomem_is_bug);

/* Print "fuzz: PROPERTY VIOLATED: ..." with the diag and the input, then abort(). */
_Noreturn void kz_fuzz_fail(const char *what, const kz_asn_type *t, const kz_asn_diag *diag,
                            const uint8_t *data, size_t size);

#endif
