/*
 * test_e2sm_property.c -- property test of the E2SM-KPM v03.00 and E2SM-RC v01.03 codecs
 * against the independent oracle.
 *
 * Why: xApps and the emulator read and write these payloads; interop failures between RICs
 * and gNBs are mostly E2SM disagreements.  For every top-level type (KPM: event trigger, action
 * definition, indication header and message, RAN function description; RC: event trigger,
 * action definition, indication header and message, call process ID, control header, message
 * and outcome, RAN function definition -- RC v01.03 has no query types in our model) random
 * valid values go through:
 *   1. our encode, and our decode of it equals the original (kz_asn_equal);
 *   2. our JSON -> value -> APER gives the same bytes;
 *   3. the oracle's batch roundtrip ('TYPE HEX' lines) re-encodes our bytes byte-exact;
 *   4. the oracle's JSON equals ours;
 *   5. the generated code (src/proto/e2sm_*_codec.c, which kz_asn_encode / kz_asn_decode use)
 *      and the descriptor interpreter alone give the same bytes and equal values and use the
 *      same arena; how many values the generated code handled itself is printed (the rest --
 *      values outside an extensible root -- it leaves to the interpreter), and must not be 0.
 * Coverage is counted from the values by walking the descriptors: every format (the CHOICEs
 * of each top-level type) is asserted; deeper CHOICE alternatives and optional fields that
 * were never met both ways are reported.
 *
 * Defaults: 10,000 values per KPM type and 5,000 per RC type, to stay near 2 minutes
 * (KZ_PROPERTY_COUNT=10000 for the full run), seed 0x4b697a756e61 (KZ_SEED changes it).  Skips (exit 77) when the oracle or Erlang's escript is absent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kizuna/asn.h"
#include "kizuna/asn_json.h"
#include "kizuna/e2sm_kpm_types.h"
#include "kizuna/e2sm_rc_types.h"
#include "proto/asn_internal.h"
#include "proto/asn_random.h"
#include "test_util.h"

/* Values per type by default: the RC oracle is the slow part (10,000 of each RC type take
 * ~2.5 min of oracle time on an idle 2-core machine), so RC runs 5,000 unless asked. */
#define DEFAULT_COUNT_KPM 10000
#define DEFAULT_COUNT_RC 10000   /* the issue asks for 10,000 of every type; ~3-5 min here */
#define DEFAULT_SEED 0x4b697a756e61ull
#define MAX_REPORTED 5

/* ---- deep nodes re-randomized (coverage itself is counted by test_util.c) ------------------- */

/* kz_asn_random stops choosing beyond a nesting depth (it takes the first CHOICE alternative and
 * leaves optional fields out), which hides deep alternatives such as
 * E2nodeComponentInterfaceXn.global-NG-RAN-Node-ID.ng-eNB.  So: where a deep CHOICE or SEQUENCE
 * still has an alternative never chosen / an optional field never present, now and then give that
 * node a fresh random value of its own type (any valid value of a type is valid in its place). */
static bool has_gap(const kz_asn_type *t)
{
    const cov_entry *c = cov_find(t);
    if (!c)
        return false;
    for (unsigned i = 0; i < t->n; i++) {
        if (t->kind == KZ_ASN_CHOICE && !c->present[i])
            return true;
        if (t->kind == KZ_ASN_SEQ && t->fields[i].has_offset != KZ_ASN_NO_FLAG &&
            (!c->present[i] || !c->absent[i]))
            return true;
    }
    return false;
}

static unsigned rerolled, real_zeros;

static void reroll(const kz_asn_type *t, void *v, kz_asn_random_opts *o, kz_arena *a, int depth);

static void reroll_field(const kz_asn_type *t, void *base, uint32_t off, uint32_t flags,
                         kz_asn_random_opts *o, kz_arena *a, int depth)
{
    void *v = (char *)base + off;
    if (flags & KZ_ASN_F_PTR)
        v = *(void **)v;
    if (v)
        reroll(t, v, o, a, depth + 1);
}

static void reroll(const kz_asn_type *t, void *v, kz_asn_random_opts *o, kz_arena *a, int depth)
{
    if ((t->kind == KZ_ASN_SEQ || t->kind == KZ_ASN_CHOICE) && depth >= 2 && has_gap(t) &&
        kz_asn_random_next(o) % 2 == 0) {
        memset(v, 0, t->size);
        assert_int_equal(kz_asn_random(t, o, a, v), 0);
        rerolled++;
        return;
    }
    switch (t->kind) {
    case KZ_ASN_REAL:
        /* The oracle (Erlang asn1) can neither encode nor decode REAL 0 (X.690 8.5.2: empty
         * contents): "{badmatch,{0,<<>>}} (in decode_real)".  kz_asn_random avoids 0.0 with
         * no_real_specials, but its "small integer" case can still give it (1 in 10,000 REALs).
         * Zero itself is tested without the oracle (our decode == original, JSON both ways). */
        if (*(double *)v == 0) {
            *(double *)v = 1.0;
            real_zeros++;
        }
        break;
    case KZ_ASN_SEQ:
        for (unsigned i = 0; i < t->n; i++)
            if (flag_of(v, t->fields[i].has_offset))
                reroll_field(t->fields[i].type, v, t->fields[i].offset, t->fields[i].flags, o, a, depth);
        break;
    case KZ_ASN_SEQOF: {
        kz_asn_seqof *s = v;
        for (uint32_t i = 0; i < s->count; i++)
            reroll(t->elem, (char *)s->items + (size_t)i * t->elem->size, o, a, depth + 1);
        break;
    }
    case KZ_ASN_CHOICE: {
        uint32_t p = *(uint32_t *)v;
        if (p >= 1 && p <= t->n)
            reroll_field(t->fields[p - 1].type, v, t->fields[p - 1].offset, t->fields[p - 1].flags, o, a, depth);
        break;
    }
    case KZ_ASN_ALIAS:
        reroll(t->elem, v, o, a, depth);
        break;
    case KZ_ASN_IES:
    case KZ_ASN_IESINGLE:
        for (unsigned i = 0; i < t->n; i++)
            if (flag_of(v, t->ies[i].has_offset))
                reroll_field(t->ies[i].type, v, t->ies[i].offset, t->ies[i].flags, o, a, depth);
        break;
    case KZ_ASN_PROCMSG: {
        uint32_t p = *(uint32_t *)v;
        if (p >= 1 && p <= t->n)
            reroll(t->ies[p - 1].type, (char *)v + t->ies[p - 1].offset, o, a, depth + 1);
        break;
    }
    default:
        break;
    }
}

/* ---- the property run ----------------------------------------------------------------------- */

typedef struct top_type {
    const char *set, *name;
    const kz_asn_type *desc;
} top_type;

static const top_type top_types[] = {
    { "kpm", "E2SM-KPM-EventTriggerDefinition", &kz_kpm_E2SM_KPM_EventTriggerDefinition_desc },
    { "kpm", "E2SM-KPM-ActionDefinition", &kz_kpm_E2SM_KPM_ActionDefinition_desc },
    { "kpm", "E2SM-KPM-IndicationHeader", &kz_kpm_E2SM_KPM_IndicationHeader_desc },
    { "kpm", "E2SM-KPM-IndicationMessage", &kz_kpm_E2SM_KPM_IndicationMessage_desc },
    { "kpm", "E2SM-KPM-RANfunction-Description", &kz_kpm_E2SM_KPM_RANfunction_Description_desc },
    { "rc", "E2SM-RC-EventTrigger", &kz_rc_E2SM_RC_EventTrigger_desc },
    { "rc", "E2SM-RC-ActionDefinition", &kz_rc_E2SM_RC_ActionDefinition_desc },
    { "rc", "E2SM-RC-IndicationHeader", &kz_rc_E2SM_RC_IndicationHeader_desc },
    { "rc", "E2SM-RC-IndicationMessage", &kz_rc_E2SM_RC_IndicationMessage_desc },
    { "rc", "E2SM-RC-CallProcessID", &kz_rc_E2SM_RC_CallProcessID_desc },
    { "rc", "E2SM-RC-ControlHeader", &kz_rc_E2SM_RC_ControlHeader_desc },
    { "rc", "E2SM-RC-ControlMessage", &kz_rc_E2SM_RC_ControlMessage_desc },
    { "rc", "E2SM-RC-ControlOutcome", &kz_rc_E2SM_RC_ControlOutcome_desc },
    { "rc", "E2SM-RC-RANFunctionDefinition", &kz_rc_E2SM_RC_RANFunctionDefinition_desc },
};
#define N_TOP (sizeof top_types / sizeof top_types[0])

static uint8_t gen_mem[16 << 20], dec_mem[32 << 20], json_mem[32 << 20];
static uint8_t enc_buf[4 << 20], enc2_buf[4 << 20];
static size_t failures;

static void dump_failure(const char *what, const char *type, size_t i, const uint8_t *bytes,
                         size_t len, const char *detail)
{
    if (failures++ >= MAX_REPORTED)
        return;
    fprintf(stderr, "%s #%zu: %s%s%s\n  hex ", type, i, what, detail ? ": " : "", detail ? detail : "");
    for (size_t k = 0; k < len && k < 4096; k++)
        fprintf(stderr, "%02x", bytes[k]);
    fprintf(stderr, "%s\n", len > 4096 ? "..." : "");
}

/* count random values of one type through our codec, then through the oracle. */
/* Property 5: the generated code against the interpreter (kz_asn_encode_per / _decode_per do not
 * take the generated path).  Returns 1 when the generated code handled both directions itself. */
static uint8_t interp_buf[sizeof enc_buf];
static uint8_t interp_mem[sizeof dec_mem], fast_mem[sizeof dec_mem];
static int check_paths(const top_type *tt, const kz_asn_type *t, const void *v, const uint8_t *bytes,
                       long n, size_t i)
{
    kz_per_enc e;
    kz_per_enc_init(&e, interp_buf, sizeof interp_buf);
    long m = kz_asn_encode_per(t, v, &e, NULL) ? -1 : kz_per_enc_finish(&e);
    if (m != n || memcmp(bytes, interp_buf, (size_t)n))
        dump_failure("generated encoder and interpreter write different bytes", tt->name, i, bytes,
                     (size_t)n, NULL);
    int handled = 0;
    kz_per_enc_init(&e, interp_buf, sizeof interp_buf);
    if (t->fenc && t->fenc(&e, v, 0) == 0 && !e.err)
        handled++;
    kz_arena ia, fa;
    kz_arena_init(&ia, interp_mem, sizeof interp_mem);
    kz_arena_init(&fa, fast_mem, sizeof fast_mem);
    void *iv = kz_arena_alloc(&ia, t->size), *fv = kz_arena_alloc(&fa, t->size);
    assert_non_null(iv);
    assert_non_null(fv);
    kz_per_dec d;
    kz_per_dec_init(&d, bytes, (size_t)n);
    int rc = kz_asn_decode_per(t, &d, &ia, iv, NULL);
    if (rc || !kz_asn_equal(t, v, iv))
        dump_failure("the interpreter alone does not decode the value back", tt->name, i, bytes, (size_t)n, NULL);
    kz_per_dec_init(&d, bytes, (size_t)n);
    if (t->fdec && t->fdec(&d, &fa, fv, 0) == 0) {
        handled++;
        if (!kz_asn_equal(t, iv, fv) || ia.used != fa.used)
            dump_failure("generated decoder and interpreter differ (value or arena use)", tt->name, i,
                         bytes, (size_t)n, NULL);
    }
    return handled == 2;
}

static void run_type(const top_type *tt, size_t count, kz_asn_random_opts *opts)
{
    size_t fast = 0;
    const kz_asn_type *t = tt->desc;
    kz_arena ga, da, ja;
    sbuf lines = { 0 };
    char **our_json = calloc(count, sizeof *our_json);
    assert_non_null(our_json);
    size_t bytes_total = 0, max_len = 0;
    double t0 = now_s();
    for (size_t i = 0; i < count; i++) {
        kz_arena_init(&ga, gen_mem, sizeof gen_mem);
        void *v = kz_arena_alloc(&ga, t->size);
        assert_non_null(v);
        assert_int_equal(kz_asn_random(t, opts, &ga, v), 0);
        reroll(t, v, opts, &ga, 0);
        cov_walk(t, v);

        kz_asn_diag diag;
        kz_asn_diag_init(&diag);
        long n = kz_asn_encode(t, v, enc_buf, sizeof enc_buf, &diag);
        if (n <= 0) {
            char d[512];
            dump_failure("encode failed", tt->name, i, NULL, 0, kz_asn_diag_format(&diag, d, sizeof d));
            sb_str(&lines, tt->name);
            sb_str(&lines, " 00\n");   /* keep the line numbering */
            continue;
        }
        fast += (size_t)check_paths(tt, t, v, enc_buf, n, i);
        bytes_total += (size_t)n;
        if ((size_t)n > max_len)
            max_len = (size_t)n;
        kz_arena_init(&da, dec_mem, sizeof dec_mem);
        void *back = NULL;
        kz_asn_diag_init(&diag);
        int rc = kz_asn_decode(t, enc_buf, (size_t)n, &da, &back, &diag);
        if (rc) {
            char d[512];
            dump_failure("our decode of our encode failed", tt->name, i, enc_buf, (size_t)n,
                         kz_asn_diag_format(&diag, d, sizeof d));
        } else if (!kz_asn_equal(t, v, back)) {
            dump_failure("decoded value differs from the original", tt->name, i, enc_buf, (size_t)n, NULL);
        }

        json_t *j = kz_asn_to_json(t, v);
        assert_non_null(j);
        kz_arena_init(&ja, json_mem, sizeof json_mem);
        void *from = NULL;
        kz_asn_diag_init(&diag);
        rc = kz_asn_from_json(t, j, &ja, &from, &diag);
        long n2 = rc ? -1 : kz_asn_encode(t, from, enc2_buf, sizeof enc2_buf, NULL);
        if (n2 != n || memcmp(enc_buf, enc2_buf, (size_t)n)) {
            char d[512];
            dump_failure("JSON -> value -> APER differs", tt->name, i, enc_buf, (size_t)n,
                         rc ? kz_asn_diag_format(&diag, d, sizeof d) : NULL);
        }
        our_json[i] = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
        assert_non_null(our_json[i]);
        json_decref(j);
        sb_str(&lines, tt->name);
        sb_str(&lines, " ");
        sb_hex(&lines, enc_buf, (size_t)n);
        sb_str(&lines, "\n");
    }
    double t1 = now_s();

    int status = -1;
    char *rt = oracle_batch("roundtrip", tt->set, "-", lines.p, lines.len, &status);
    assert_non_null(rt);
    size_t ok = 0;
    char *save = NULL, *line = strtok_r(rt, "\n", &save);
    for (size_t i = 0; i < count; i++, line = strtok_r(NULL, "\n", &save)) {
        if (!line)
            fail_msg("%s: oracle roundtrip output ends at line %zu of %zu", tt->name, i, count);
        if (!our_json[i])
            continue;
        if (!strcmp(line, "OK"))
            ok++;
        else if (failures++ < MAX_REPORTED)
            fprintf(stderr, "%s #%zu: oracle roundtrip: %.400s\n", tt->name, i, line);
    }
    free(rt);
    double t2 = now_s();

    char *dec = oracle_batch("decode", tt->set, "-", lines.p, lines.len, &status);
    assert_non_null(dec);
    size_t equal = 0;
    save = NULL;
    line = strtok_r(dec, "\n", &save);
    for (size_t i = 0; i < count; i++, line = strtok_r(NULL, "\n", &save)) {
        if (!line)
            fail_msg("%s: oracle decode output ends at line %zu of %zu", tt->name, i, count);
        if (!our_json[i])
            continue;
        json_error_t je;
        json_t *theirs = json_loads(line, JSON_DECODE_ANY, &je);
        json_t *ours = json_loads(our_json[i], JSON_DECODE_ANY, &je);
        assert_non_null(ours);
        if (theirs && json_equal(ours, theirs))
            equal++;
        else if (failures++ < MAX_REPORTED)
            fprintf(stderr, "%s #%zu: JSON differs\n  ours   %.2000s\n  oracle %.2000s\n", tt->name, i,
                    our_json[i], line);
        json_decref(theirs);
        json_decref(ours);
        free(our_json[i]);
    }
    free(dec);
    free(our_json);
    free(lines.p);
    double t3 = now_s();
    printf("  %-34s %6zu values, %8zu bytes (max %5zu): ours %.2f s (generated code: %zu); oracle "
           "roundtrip %zu OK %.2f s, JSON equal %zu %.2f s\n", tt->name, count, bytes_total, max_len,
           t1 - t0, fast, ok, t2 - t1, equal, t3 - t2);
    if (fast == 0 && count > 0 && failures++ < MAX_REPORTED)
        fprintf(stderr, "%s: the generated code handled none of %zu values\n", tt->name, count);
}

static void run_set(const char *set)
{
    size_t count = (size_t)env_u64("KZ_PROPERTY_COUNT",
                                   strcmp(set, "rc") ? DEFAULT_COUNT_KPM : DEFAULT_COUNT_RC);
    uint64_t seed = env_u64("KZ_SEED", DEFAULT_SEED);
    if (count < 1)
        count = 1;
    printf("  %s: %zu values per type, seed 0x%llx\n", set, count, (unsigned long long)seed);
    kz_asn_random_opts opts = { .rng = seed, .no_real_specials = true };
    failures = 0;
    rerolled = real_zeros = 0;
    for (size_t k = 0; k < N_TOP; k++)
        if (!strcmp(top_types[k].set, set))
            run_type(&top_types[k], count, &opts);
    unsigned alts = 0, alts_missed = 0, n_fields = 0, opts_missed = 0;
    report_nested_coverage(&alts, &alts_missed, &n_fields, &opts_missed);
    printf("  %s coverage: %u CHOICE alternatives, %u never chosen; %u optional fields, %u not both "
           "ways; %u deep nodes re-randomized, %u REAL zeros made 1.0 for the oracle\n", set, alts,
           alts_missed, n_fields, opts_missed, rerolled, real_zeros);
    if (failures) {
        cov_reset();
        fail_msg("%s: %zu failures (first %d shown above); reproduce with KZ_SEED=0x%llx "
                 "KZ_PROPERTY_COUNT=%zu", set, failures, MAX_REPORTED, (unsigned long long)seed, count);
    }
    /* Asserted: every alternative of each top-level type's own CHOICEs (the formats).  The
     * deeper gaps above depend on how kz_asn_random cuts off deep values, so they are reported,
     * not asserted (E2AP's property test asserts them: its types are shallow). */
    unsigned formats = 0, formats_missed = 0;
    for (size_t k = 0; k < N_TOP; k++) {
        const kz_asn_type *t = top_types[k].desc;
        if (strcmp(top_types[k].set, set) || t->kind != KZ_ASN_SEQ)
            continue;
        for (unsigned i = 0; i < t->n; i++) {
            const kz_asn_type *ft = t->fields[i].type;
            while (ft->kind == KZ_ASN_ALIAS)
                ft = ft->elem;
            if (ft->kind != KZ_ASN_CHOICE)
                continue;
            const cov_entry *c = cov_find(ft);
            for (unsigned a = 0; a < ft->n; a++) {
                formats++;
                if (!c || !c->present[a]) {
                    formats_missed++;
                    fprintf(stderr, "coverage: %s.%s: %s never chosen\n", top_types[k].name,
                            t->fields[i].name, ft->fields[a].name);
                }
            }
        }
    }
    printf("  %s formats: %u top-level CHOICE alternatives, %u never chosen\n", set, formats,
           formats_missed);
    cov_reset();
    assert_int_equal(formats_missed, 0);
}

/* kz_asn_random must terminate on RC's recursive RANParameter types.  Run in a child so that a
 * runaway recursion (stack overflow) fails this test instead of killing the whole program. */
static bool generator_terminates(const kz_asn_type *t, uint64_t seeds)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        for (uint64_t seed = 1; seed <= seeds; seed++) {
            kz_asn_random_opts o = { .rng = seed, .no_real_specials = true };
            kz_arena ga;
            kz_arena_init(&ga, gen_mem, sizeof gen_mem);
            void *v = kz_arena_alloc(&ga, t->size);
            if (!v || kz_asn_random(t, &o, &ga, v))
                _exit(2);
        }
        _exit(0);
    }
    int ws = 0;
    while (waitpid(pid, &ws, 0) < 0)
        ;
    if (WIFEXITED(ws) && WEXITSTATUS(ws) == 0)
        return true;
    fprintf(stderr, "kz_asn_random(%s) %s (%s %d): a recursive type is not cut off\n", t->name,
            WIFSIGNALED(ws) ? "crashed" : "failed", WIFSIGNALED(ws) ? "signal" : "exit",
            WIFSIGNALED(ws) ? WTERMSIG(ws) : WEXITSTATUS(ws));
    return false;
}

static bool rc_generator_ok;

static void test_rc_generator_terminates(void **state)
{
    (void)state;
    rc_generator_ok = generator_terminates(&kz_rc_RANParameter_Testing_Item_desc, 200) &&
                      generator_terminates(&kz_rc_RANParameter_ValueType_desc, 200);
    assert_true(rc_generator_ok);
}

static void test_kpm(void **state)
{
    (void)state;
    run_set("kpm");
}

static void test_rc(void **state)
{
    (void)state;
    if (!rc_generator_ok)
        fail_msg("not run: kz_asn_random does not terminate on RC types (see above)");
    run_set("rc");
}

int main(void)
{
    char why[256];
    if (!oracle_present(why, sizeof why)) {
        fprintf(stderr, "test_e2sm_property: skipped: %s\n", why);
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kpm),
        cmocka_unit_test(test_rc_generator_terminates),
        cmocka_unit_test(test_rc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
