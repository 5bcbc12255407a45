/*
 * test_util.h -- shared helpers of the codec tests (tests/proto), including running the
 * independent oracle (../shared/tools/asn1-oracle, Erlang asn1ct) that our bytes and JSON are
 * checked against.
 *
 * Why: the property, sample and E2SM tests each carried their own copy of these.  One copy here,
 * linked into every kz_proto_test program (tests/proto/CMakeLists.txt), so a fix to how the
 * oracle is found or run reaches every test at once.
 *
 * These are test helpers: they fail the running cmocka test (assert_*) on what should never
 * happen, such as running out of memory.  Every char * they return is malloc'd and the caller
 * frees it.  The coverage table and the oracle queue are per-process state (one test program).
 */
#ifndef KZ_TESTS_PROTO_TEST_UTIL_H
#define KZ_TESTS_PROTO_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kizuna/arena.h"
#include "kizuna/asn.h"

/* The oracle; KZ_SHARED_DIR comes from CMake (kz_proto_test). */
#define ORACLE KZ_SHARED_DIR "/tools/asn1-oracle"

/* ---- a growable string -------------------------------------------------------------------- */

/* Start as `sbuf s = { 0 };`, free s.p when done.  s.p is always NUL-terminated once written. */
typedef struct sbuf {
    char *p;
    size_t len, cap;
} sbuf;

void sb_hex(sbuf *s, const uint8_t *p, size_t n);   /* appends n bytes as lower-case hex */
void sb_str(sbuf *s, const char *str);

/* ---- small things ------------------------------------------------------------------------- */

/* The environment variable as a number (strtoull base 0: 0x.. works), else dflt. */
uint64_t env_u64(const char *name, uint64_t dflt);
/* Seconds on the monotonic clock. */
double now_s(void);

/* n bytes as lower-case hex (malloc'd). */
char *to_hex(const uint8_t *p, size_t n);
/* Hex digits to bytes, stopping at the first non-pair or at cap; returns the bytes written. */
size_t from_hex(const char *h, uint8_t *out, size_t cap);

/* ---- the shared samples ------------------------------------------------------------------- */

#define SAMPLES KZ_SHARED_DIR "/spec/samples/"

/* The bytes of sample `name` (its last hex line; '#' lines are comments), at most cap of them;
 * 0 when the file is absent. */
size_t read_sample(const char *name, uint8_t *out, size_t cap);
/* Whether o holds exactly the characters of s. */
bool oct_eq(kz_octets o, const char *s);

/* ---- the oracle --------------------------------------------------------------------------- */

/* Whether ORACLE is executable and Erlang's escript is in PATH (the oracle's #! needs it);
 * when not, why (for the "skipped: ..." line, exit 77). */
bool oracle_present(char *why, size_t cap);

/* Runs `asn1-oracle --batch CMD SET TYPE` with `input` as its stdin (through a temp file in
 * $TMPDIR or /tmp, never a shell) and returns its stdout (malloc'd), or NULL if it could not
 * run.  *status: its exit status (128 when killed by a signal). */
char *oracle_batch(const char *cmd, const char *set, const char *type, const char *input,
                   size_t inlen, int *status);

/* A queue of encodings to check against the oracle in two batch calls at the end of a test
 * program (the E2SM helper tests): oracle_queue() keeps a copy of the bytes; oracle_check_queue()
 * asserts that the oracle round-trips each byte-exact and decodes each to the JSON we print
 * (decoding ours into `arena`, which it resets); oracle_queue_free() drops the queue. */
void oracle_queue(const char *asn_name, const kz_asn_type *t, const uint8_t *p, size_t n);
void oracle_check_queue(const char *set, kz_arena *arena);
void oracle_queue_free(void);

/* ---- coverage, counted from generated values (the property tests) ------------------------- */

/* For a SEQUENCE / IE container: per field or IE, how often it was present and absent.
 * For a CHOICE / procedure-message table: per alternative, how often it was chosen. */
typedef struct cov_entry {
    const kz_asn_type *t;
    uint32_t *present, *absent;
} cov_entry;

/* Counts every optional field, IE and alternative met in value v of type t. */
void cov_walk(const kz_asn_type *t, const void *v);
/* The counts of type t (created empty when not met yet) / NULL when t was never met. */
cov_entry *cov_get(const kz_asn_type *t);
const cov_entry *cov_find(const kz_asn_type *t);
void cov_reset(void);
/* Every CHOICE alternative and optional SEQUENCE field of every type met; prints the gaps to
 * stderr and adds to the four counters. */
void report_nested_coverage(unsigned *alts, unsigned *alts_missed, unsigned *opts,
                            unsigned *opts_missed);
/* Whether the field whose presence flag is at base+off is present (KZ_ASN_NO_FLAG: always). */
bool flag_of(const void *base, uint32_t off);

#endif
