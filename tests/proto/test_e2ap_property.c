/*
 * test_e2ap_property.c -- property test of the E2AP codec against the independent oracle.
 *
 * Why: hand-written samples cover what someone thought of; random valid PDUs cover the rest.
 * Every message of every elementary procedure (initiating, successful, unsuccessful: taken in
 * turn from the PROCMSG tables of the descriptors, so a message added to the ASN.1 is covered
 * without touching this file) is generated with kz_asn_random, and for each PDU:
 *   1. our encode succeeds, and our decode of it equals the original (kz_asn_equal);
 *   2. our JSON -> value -> APER gives the same bytes;
 *   3. the oracle (asn1-oracle --batch roundtrip) re-encodes our bytes byte-exact;
 *   4. the oracle's JSON (--batch decode) equals ours (json_equal).
 * Coverage is counted from the generated values by walking the descriptors: every optional IE
 * of every message must have been present at least once and absent at least once; every
 * CHOICE alternative and optional SEQUENCE field met on the way is reported too.
 *
 * Defaults: 10,000 PDUs, seed 0x4b697a756e61 ("Kizuna"); KZ_PROPERTY_COUNT and KZ_SEED change
 * them.  A few unbounded octet strings are 16K..40K long, to exercise fragmentation.
 * Skips (exit 77) when ../shared/tools/asn1-oracle or Erlang's escript is absent.
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

#include "kizuna/asn.h"
#include "kizuna/asn_json.h"
#include "kizuna/e2ap.h"
#include "proto/asn_internal.h"
#include "proto/asn_random.h"
#include "test_util.h"

#define DEFAULT_COUNT 10000
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
    for (unsigned i = 0; i < t->n; i++)
        if (!c->present[i] && (t->kind == KZ_ASN_CHOICE || t->fields[i].has_offset != KZ_ASN_NO_FLAG))
            return true;
    return false;
}

static unsigned rerolled;

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
    if ((t->kind == KZ_ASN_SEQ || t->kind == KZ_ASN_CHOICE) && depth >= 3 && has_gap(t) &&
        kz_asn_random_next(o) % 4 == 0) {
        memset(v, 0, t->size);
        assert_int_equal(kz_asn_random(t, o, a, v), 0);
        rerolled++;
        return;
    }
    switch (t->kind) {
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

/* Coverage of the optional IEs of one message's IE container; returns how many were missed. */
static unsigned check_ie_coverage(const char *msg, const kz_asn_type *container, unsigned *n_optional)
{
    cov_entry *c = cov_get(container);
    unsigned missed = 0;
    for (unsigned i = 0; i < container->n; i++) {
        const kz_asn_ie *ie = &container->ies[i];
        if (ie->has_offset == KZ_ASN_NO_FLAG)
            continue;
        (*n_optional)++;
        if (!c->present[i] || !c->absent[i]) {
            fprintf(stderr, "coverage: %s IE %s (id %u): present %u, absent %u\n", msg, ie->name,
                    ie->id, c->present[i], c->absent[i]);
            missed++;
        }
    }
    return missed;
}

/* ---- the property run ----------------------------------------------------------------------- */

typedef struct message_ref {
    uint32_t pdu_alt;            /* kz_e2ap_E2AP_PDU_<alternative> */
    const kz_asn_type *procmsg;  /* InitiatingMessage / SuccessfulOutcome / UnsuccessfulOutcome */
    uint32_t index;              /* 0-based entry of procmsg->ies */
} message_ref;

static message_ref messages[64];
static size_t n_messages;
static uint32_t per_message_count[64];

static void list_messages(void)
{
    n_messages = 0;
    const kz_asn_type *pdu = &kz_e2ap_E2AP_PDU_desc;
    assert_int_equal(pdu->kind, KZ_ASN_CHOICE);
    for (unsigned alt = 0; alt < pdu->n; alt++) {
        const kz_asn_type *pm = pdu->fields[alt].type;
        assert_int_equal(pm->kind, KZ_ASN_PROCMSG);
        for (unsigned i = 0; i < pm->n; i++) {
            assert_true(n_messages < sizeof messages / sizeof messages[0]);
            messages[n_messages++] = (message_ref){ alt + 1, pm, i };
        }
    }
}

/* The IE container of a message type (its SEQUENCE's protocolIEs field). */
static const kz_asn_type *container_of(const kz_asn_type *msg)
{
    if (msg->kind == KZ_ASN_SEQ)
        for (unsigned i = 0; i < msg->n; i++)
            if (msg->fields[i].type->kind == KZ_ASN_IES)
                return msg->fields[i].type;
    return NULL;
}

static uint8_t gen_mem[16 << 20], dec_mem[32 << 20], json_mem[32 << 20];
static uint8_t enc_buf[4 << 20], enc2_buf[4 << 20];

static void dump_failure(const char *what, size_t i, const message_ref *m, const uint8_t *bytes,
                         size_t len, const char *detail)
{
    fprintf(stderr, "PDU %zu (%s): %s%s%s\n  hex ", i, m->procmsg->ies[m->index].name, what,
            detail ? ": " : "", detail ? detail : "");
    for (size_t k = 0; k < len && k < 4096; k++)
        fprintf(stderr, "%02x", bytes[k]);
    fprintf(stderr, "%s\n", len > 4096 ? "..." : "");
}

static void test_property(void **state)
{
    (void)state;
    size_t count = (size_t)env_u64("KZ_PROPERTY_COUNT", DEFAULT_COUNT);
    uint64_t seed = env_u64("KZ_SEED", DEFAULT_SEED);
    list_messages();
    assert_true(n_messages >= 39);   /* E2AP v03.01: 16 initiating, 12 successful, 11 unsuccessful */
    if (count < n_messages)
        count = n_messages;
    printf("  %zu PDUs over %zu message types, seed 0x%llx\n", count, n_messages,
           (unsigned long long)seed);

    kz_asn_random_opts opts = { .rng = seed, .big_octets_per_mille = 2, .no_real_specials = true };
    kz_arena ga, da, ja;
    sbuf hex = { 0 };
    char **our_json = calloc(count, sizeof *our_json);
    uint32_t *msg_of = calloc(count, sizeof *msg_of);
    assert_true(our_json && msg_of);
    size_t failures = 0, big = 0, bytes_total = 0, max_len = 0;
    double t0 = now_s();

    for (size_t i = 0; i < count; i++) {
        const message_ref *m = &messages[i % n_messages];
        msg_of[i] = (uint32_t)(i % n_messages);
        per_message_count[i % n_messages]++;
        kz_arena_init(&ga, gen_mem, sizeof gen_mem);
        kz_e2ap_pdu pdu;
        memset(&pdu, 0, sizeof pdu);
        pdu.present = m->pdu_alt;
        char *pm = (char *)&pdu + kz_e2ap_E2AP_PDU_desc.fields[m->pdu_alt - 1].offset;
        *(uint32_t *)pm = m->index + 1;
        const kz_asn_ie *entry = &m->procmsg->ies[m->index];
        assert_int_equal(kz_asn_random(entry->type, &opts, &ga, pm + entry->offset), 0);
        reroll(&kz_e2ap_E2AP_PDU_desc, &pdu, &opts, &ga, 0);
        cov_walk(&kz_e2ap_E2AP_PDU_desc, &pdu);

        /* 1. encode, decode, equal */
        kz_asn_diag diag;
        kz_asn_diag_init(&diag);
        long n = kz_e2ap_encode(&pdu, enc_buf, sizeof enc_buf, &diag);
        if (n <= 0) {
            char d[512];
            dump_failure("encode failed", i, m, NULL, 0, kz_asn_diag_format(&diag, d, sizeof d));
            failures++;
            sb_str(&hex, "00\n");   /* keep the line numbering */
            continue;
        }
        bytes_total += (size_t)n;
        if ((size_t)n > max_len)
            max_len = (size_t)n;
        if (n > 16384)
            big++;
        kz_arena_init(&da, dec_mem, sizeof dec_mem);
        kz_e2ap_pdu *back = NULL;
        kz_asn_diag_init(&diag);
        int rc = kz_e2ap_decode(enc_buf, (size_t)n, &da, &back, &diag);
        if (rc || diag.n_ies) {
            char d[512];
            if (failures++ < MAX_REPORTED)
                dump_failure("our decode of our encode failed", i, m, enc_buf, (size_t)n,
                             kz_asn_diag_format(&diag, d, sizeof d));
        } else if (!kz_asn_equal(&kz_e2ap_E2AP_PDU_desc, &pdu, back)) {
            if (failures++ < MAX_REPORTED)
                dump_failure("decoded value differs from the original", i, m, enc_buf, (size_t)n, NULL);
        }

        /* 2. JSON -> value -> the same bytes */
        json_t *j = kz_asn_to_json(&kz_e2ap_E2AP_PDU_desc, &pdu);
        assert_non_null(j);
        kz_arena_init(&ja, json_mem, sizeof json_mem);
        void *from = NULL;
        kz_asn_diag_init(&diag);
        rc = kz_asn_from_json(&kz_e2ap_E2AP_PDU_desc, j, &ja, &from, &diag);
        long n2 = rc ? -1 : kz_e2ap_encode(from, enc2_buf, sizeof enc2_buf, NULL);
        if (n2 != n || memcmp(enc_buf, enc2_buf, (size_t)n)) {
            char d[512];
            if (failures++ < MAX_REPORTED)
                dump_failure("JSON -> value -> APER differs", i, m, enc_buf, (size_t)n,
                             rc ? kz_asn_diag_format(&diag, d, sizeof d) : NULL);
        }
        our_json[i] = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
        assert_non_null(our_json[i]);
        json_decref(j);
        sb_hex(&hex, enc_buf, (size_t)n);
        sb_str(&hex, "\n");
    }
    double t1 = now_s();
    printf("  ours: %zu PDUs, %zu bytes (max %zu, %zu over 16K), encode+decode+JSON in %.2f s\n",
           count, bytes_total, max_len, big, t1 - t0);

    /* 3. the oracle re-encodes every PDU byte-exact */
    int status = -1;
    char *rt = oracle_batch("roundtrip", "e2ap", "E2AP-PDU", hex.p, hex.len, &status);
    assert_non_null(rt);
    size_t ok = 0;
    char *save = NULL, *line = strtok_r(rt, "\n", &save);
    for (size_t i = 0; i < count; i++, line = strtok_r(NULL, "\n", &save)) {
        if (!line) {
            fail_msg("oracle roundtrip: output ends at line %zu of %zu", i, count);
        }
        if (!our_json[i])
            continue;   /* our encode failed: already counted */
        if (!strcmp(line, "OK")) {
            ok++;
        } else if (failures++ < MAX_REPORTED) {
            fprintf(stderr, "PDU %zu (%s): oracle roundtrip: %.300s\n", i,
                    messages[msg_of[i]].procmsg->ies[messages[msg_of[i]].index].name, line);
        }
    }
    free(rt);
    double t2 = now_s();
    printf("  oracle roundtrip: %zu/%zu OK in %.2f s (exit %d)\n", ok, count, t2 - t1, status);

    /* 4. the oracle's JSON equals ours */
    char *dec = oracle_batch("decode", "e2ap", "E2AP-PDU", hex.p, hex.len, &status);
    assert_non_null(dec);
    size_t equal = 0;
    save = NULL;
    line = strtok_r(dec, "\n", &save);
    for (size_t i = 0; i < count; i++, line = strtok_r(NULL, "\n", &save)) {
        if (!line)
            fail_msg("oracle decode: output ends at line %zu of %zu", i, count);
        if (!our_json[i])
            continue;
        json_error_t je;
        json_t *theirs = json_loads(line, JSON_DECODE_ANY, &je);
        json_t *ours = json_loads(our_json[i], JSON_DECODE_ANY, &je);
        assert_non_null(ours);
        if (theirs && json_equal(ours, theirs)) {
            equal++;
        } else if (failures++ < MAX_REPORTED) {
            fprintf(stderr, "PDU %zu (%s): JSON differs\n  ours   %.2000s\n  oracle %.2000s\n", i,
                    messages[msg_of[i]].procmsg->ies[messages[msg_of[i]].index].name, our_json[i], line);
        }
        json_decref(theirs);
        json_decref(ours);
        free(our_json[i]);
    }
    free(dec);
    double t3 = now_s();
    printf("  oracle decode: %zu/%zu JSON equal in %.2f s\n", equal, count, t3 - t2);

    /* coverage */
    unsigned n_opt = 0, missed = 0;
    for (size_t k = 0; k < n_messages; k++) {
        const kz_asn_ie *entry = &messages[k].procmsg->ies[messages[k].index];
        const kz_asn_type *c = container_of(entry->type);
        assert_non_null(c);
        missed += check_ie_coverage(entry->name, c, &n_opt);
    }
    unsigned alts = 0, alts_missed = 0, n_fields = 0, opts_missed = 0;
    report_nested_coverage(&alts, &alts_missed, &n_fields, &opts_missed);
    printf("  coverage: %zu message types (>= %u PDUs each); %u optional message IEs, %u missed; "
           "%u CHOICE alternatives, %u never chosen; %u optional fields, %u not both ways; "
           "%u deep nodes re-randomized\n",
           n_messages, per_message_count[n_messages - 1], n_opt, missed, alts, alts_missed, n_fields,
           opts_missed, rerolled);

    free(our_json);
    free(msg_of);
    free(hex.p);
    cov_reset();
    if (failures)
        fail_msg("%zu failures (first %d shown above); reproduce with KZ_SEED=0x%llx KZ_PROPERTY_COUNT=%zu",
                 failures, MAX_REPORTED, (unsigned long long)seed, count);
    assert_int_equal(missed, 0);
    assert_int_equal(alts_missed, 0);
    assert_int_equal(opts_missed, 0);
}

int main(void)
{
    char why[256];
    if (!oracle_present(why, sizeof why)) {
        fprintf(stderr, "test_e2ap_property: skipped: %s\n", why);
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_property),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
