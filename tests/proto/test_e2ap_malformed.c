/*
 * test_e2ap_malformed.c -- what the E2AP decoder does with bytes a peer should not have sent.
 *
 * Why: a RIC that aborts on one malformed PDU takes every E2 node down with it (DESIGN.md,
 * "Never lose, never hang").  E2AP 10.3 says what to do instead: unknown IEs are skipped,
 * listed (notify) or refused (reject) by their criticality, missing mandatory IEs are listed,
 * and the answer is an ErrorIndication with CriticalityDiagnostics.  Every case here starts from
 * a PDU built in C and encoded by us, then edits its bytes (each edit commented), so the test
 * needs nothing from ../shared.  Run it under ASan+UBSan: "never a crash" is half the point.
 *
 * APER layout used by the edits (E2AP v03.01, X.691 aligned):
 *   byte 0   E2AP-PDU CHOICE: ext bit, 2-bit index (0x00 initiating, 0x20 successful,
 *            0x40 unsuccessful), padding
 *   byte 1   procedureCode INTEGER (0..255)
 *   byte 2   criticality ENUMERATED (2 bits): 0x00 reject, 0x40 ignore, 0x80 notify
 *   byte 3.. open type length (1 octet < 128, else 0x80|hi lo), then the message:
 *            ext bit + padding (1 octet), IE count (2 octets), then each IE: id (2 octets),
 *            criticality (1 octet), open type length, value.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kizuna/asn.h"
#include "kizuna/e2ap.h"
#include "proto/asn_random.h"

static uint8_t arena_mem[8 << 20];
static uint8_t gen_mem[4 << 20];
static uint8_t pdu_buf[64 * 1024], edit_buf[64 * 1024], enc2_buf[64 * 1024];

/* ---- PDUs built in C ------------------------------------------------------------------------ */

static const uint8_t trigger[] = { 0x08, 0x03, 0xe7 };   /* KPM event trigger, 1000 ms */
static const uint8_t action_def[] = { 0x00, 0x01, 0x01, 0x08, 0x00, 0x01, 0x00, 0xa0 };
static kz_e2ap_RICactions_ToBeSetup_List__item actions[2];

/* RICsubscriptionRequest as an E2AP v02.03 node would send it: no v3 IE (no
 * RICsubscriptionStartTime / EndTime) and no ricActionExecutionOrder in the actions. */
static void build_subscription_request(kz_e2ap_pdu *pdu)
{
    memset(pdu, 0, sizeof *pdu);
    pdu->present = kz_e2ap_E2AP_PDU_initiatingMessage;
    pdu->u.initiatingMessage.present = kz_e2ap_InitiatingMessage_RICsubscriptionRequest;
    kz_e2ap_RICsubscriptionRequest *r = &pdu->u.initiatingMessage.u.RICsubscriptionRequest;
    r->RICrequestID.ricRequestorID = 1;
    r->RICrequestID.ricInstanceID = 1;
    r->RANfunctionID = 2;
    r->RICsubscriptionDetails.ricEventTriggerDefinition = (kz_octets){ trigger, sizeof trigger };
    memset(actions, 0, sizeof actions);
    actions[0].value.ricActionID = 1;
    actions[0].value.ricActionType = kz_e2ap_RICactionType_report;
    actions[0].value.has_ricActionDefinition = true;
    actions[0].value.ricActionDefinition = (kz_octets){ action_def, sizeof action_def };
    actions[1].value.ricActionID = 2;
    actions[1].value.ricActionType = kz_e2ap_RICactionType_insert;
    r->RICsubscriptionDetails.ricAction_ToBeSetup_List.count = 2;
    r->RICsubscriptionDetails.ricAction_ToBeSetup_List.items = actions;
}

static const uint8_t ind_header[] = { 0x1e, 0x66, 0xb1, 0xf2, 0xa0, 0, 0, 0, 0 };
static uint8_t ind_message[200];

static void build_indication(kz_e2ap_pdu *pdu)
{
    memset(pdu, 0, sizeof *pdu);
    pdu->present = kz_e2ap_E2AP_PDU_initiatingMessage;
    pdu->u.initiatingMessage.present = kz_e2ap_InitiatingMessage_RICindication;
    kz_e2ap_RICindication *r = &pdu->u.initiatingMessage.u.RICindication;
    r->RICrequestID.ricRequestorID = 7;
    r->RICrequestID.ricInstanceID = 3;
    r->RANfunctionID = 2;
    r->RICactionID = 1;
    r->has_RICindicationSN = true;
    r->RICindicationSN = 42;
    r->RICindicationType = kz_e2ap_RICindicationType_report;
    r->RICindicationHeader = (kz_octets){ ind_header, sizeof ind_header };
    for (size_t i = 0; i < sizeof ind_message; i++)
        ind_message[i] = (uint8_t)(i * 7 + 1);
    r->RICindicationMessage = (kz_octets){ ind_message, sizeof ind_message };   /* 2-octet length */
}

static size_t encode(const kz_e2ap_pdu *pdu, uint8_t *out, size_t cap)
{
    kz_asn_diag diag;
    kz_asn_diag_init(&diag);
    long n = kz_e2ap_encode(pdu, out, cap, &diag);
    if (n <= 0) {
        char b[512];
        fail_msg("encode: %s", kz_asn_diag_format(&diag, b, sizeof b));
    }
    return (size_t)n;
}

/* Decode into a fresh arena; *diag filled. */
static int decode(const uint8_t *p, size_t n, kz_e2ap_pdu **out, kz_asn_diag *diag)
{
    static kz_arena a;
    kz_arena_init(&a, arena_mem, sizeof arena_mem);
    kz_asn_diag_init(diag);
    *out = NULL;
    return kz_e2ap_decode(p, n, &a, out, diag);
}

static void show(const char *what, const kz_asn_diag *diag)
{
    char b[512];
    printf("  %-44s -> %s\n", what, kz_asn_diag_format(diag, b, sizeof b));
}

/* ---- a PDU from pieces: to splice IEs in and out ------------------------------------------ */

typedef struct piece {
    uint32_t id;
    uint8_t crit;
    const uint8_t *val;
    size_t len;
} piece;

static size_t put_len(uint8_t *p, size_t n)
{
    assert_true(n < 16384);
    if (n < 128) {
        p[0] = (uint8_t)n;
        return 1;
    }
    p[0] = (uint8_t)(0x80 | (n >> 8));
    p[1] = (uint8_t)n;
    return 2;
}

/* A whole PDU: header (choice byte, procedure code, criticality), then the message with the
 * given IEs in order; ext_tail (if any) are the message's extension-addition bytes, in which case
 * the message's extension bit is set.  Returns the length; *ie_at (if given) gets the offset
 * of each IE's id in the PDU. */
static size_t build(uint8_t *out, uint8_t choice_byte, uint8_t proc, uint8_t crit, const piece *ies,
                    size_t n, const uint8_t *ext_tail, size_t ext_len, size_t *ie_at)
{
    uint8_t msg[16384];
    size_t m = 0, at[64];
    msg[m++] = ext_tail ? 0x80 : 0x00;   /* SEQUENCE { protocolIEs, ... }: extension bit */
    msg[m++] = (uint8_t)(n >> 8);         /* ProtocolIE-Container SIZE (0..65535): 2 octets */
    msg[m++] = (uint8_t)n;
    for (size_t i = 0; i < n; i++) {
        at[i] = m;
        msg[m++] = (uint8_t)(ies[i].id >> 8);   /* ProtocolIE-ID (0..65535) */
        msg[m++] = (uint8_t)ies[i].id;
        msg[m++] = (uint8_t)(ies[i].crit << 6); /* Criticality, 2 bits, then padding */
        m += put_len(msg + m, ies[i].len);
        memcpy(msg + m, ies[i].val, ies[i].len);
        m += ies[i].len;
    }
    if (ext_tail) {
        memcpy(msg + m, ext_tail, ext_len);
        m += ext_len;
    }
    size_t k = 0;
    out[k++] = choice_byte;
    out[k++] = proc;
    out[k++] = (uint8_t)(crit << 6);
    k += put_len(out + k, m);
    for (size_t i = 0; i < n && ie_at; i++)
        ie_at[i] = k + at[i];
    memcpy(out + k, msg, m);
    return k + m;
}

/* The IEs of a message value, each encoded on its own, as pieces (vals into store). */
static size_t pieces_of(const kz_e2ap_pdu *pdu, piece *out, uint8_t *store, size_t cap)
{
    const kz_asn_field *alt = &kz_e2ap_E2AP_PDU_desc.fields[pdu->present - 1];
    const char *pm = (const char *)pdu + alt->offset;
    const kz_asn_ie *entry = &alt->type->ies[*(const uint32_t *)pm - 1];
    const char *msg = pm + entry->offset;
    const kz_asn_type *container = entry->type->fields[0].type;
    assert_int_equal(container->kind, KZ_ASN_IES);
    size_t n = 0, used = 0;
    for (unsigned i = 0; i < container->n; i++) {
        const kz_asn_ie *ie = &container->ies[i];
        if (ie->has_offset != KZ_ASN_NO_FLAG && !*(const bool *)(msg + ie->has_offset))
            continue;
        long len = kz_asn_encode(ie->type, msg + ie->offset, store + used, cap - used, NULL);
        assert_true(len > 0);
        out[n++] = (piece){ ie->id, ie->criticality, store + used, (size_t)len };
        used += (size_t)len;
    }
    return n;
}

static bool diag_lists(const kz_asn_diag *d, uint32_t id, uint8_t crit, uint8_t toe)
{
    for (unsigned i = 0; i < d->n_ies; i++)
        if (d->ies[i].id == id && d->ies[i].criticality == crit && d->ies[i].type_of_error == toe)
            return true;
    return false;
}

/* The test PDU (RICsubscriptionRequest) and its IEs as pieces. */
static kz_e2ap_pdu sub;
static size_t sub_len;
static piece sub_ies[8];
static size_t n_sub_ies;
static uint8_t piece_store[8192];

static int setup(void **state)
{
    (void)state;
    build_subscription_request(&sub);
    sub_len = encode(&sub, pdu_buf, sizeof pdu_buf);
    n_sub_ies = pieces_of(&sub, sub_ies, piece_store, sizeof piece_store);
    assert_int_equal(n_sub_ies, 3);
    return 0;
}

/* The builder gives back our encoder's bytes: so the edits below change only what they say. */
static void test_builder_matches_encoder(void **state)
{
    (void)state;
    size_t n = build(edit_buf, 0x00, 8, KZ_CRIT_REJECT, sub_ies, n_sub_ies, NULL, 0, NULL);
    assert_int_equal(n, sub_len);
    assert_memory_equal(edit_buf, pdu_buf, n);
}

/* ---- truncation, lengths past the end, trailing bytes ------------------------------------ */

static void truncate_everywhere(const uint8_t *p, size_t n, const char *what)
{
    kz_e2ap_pdu *out;
    kz_asn_diag diag;
    for (size_t cut = 0; cut < n; cut++) {
        /* heap copy of exactly `cut` bytes: ASan sees any read past the end */
        uint8_t *copy = malloc(cut ? cut : 1);
        assert_non_null(copy);
        memcpy(copy, p, cut);
        int rc = decode(copy, cut, &out, &diag);
        if (rc >= 0)
            fail_msg("%s truncated to %zu of %zu bytes decoded (rc %d)", what, cut, n, rc);
        assert_int_equal(diag.code, rc);
        free(copy);
    }
}

static void test_truncation(void **state)
{
    (void)state;
    kz_e2ap_pdu ind;
    build_indication(&ind);
    uint8_t ibuf[1024];
    size_t in = encode(&ind, ibuf, sizeof ibuf);
    truncate_everywhere(pdu_buf, sub_len, "RICsubscriptionRequest");
    truncate_everywhere(ibuf, in, "RICindication");

    /* and one random PDU of every message of every procedure */
    kz_asn_random_opts opts = { .rng = 0x7472756e63ull, .no_real_specials = true };
    size_t total = 0;
    for (unsigned alt = 1; alt <= kz_e2ap_E2AP_PDU_desc.n; alt++) {
        const kz_asn_type *pm = kz_e2ap_E2AP_PDU_desc.fields[alt - 1].type;
        for (unsigned m = 0; m < pm->n; m++) {
            kz_arena ga;
            kz_arena_init(&ga, gen_mem, sizeof gen_mem);
            kz_e2ap_pdu pdu;
            memset(&pdu, 0, sizeof pdu);
            pdu.present = alt;
            char *p = (char *)&pdu + kz_e2ap_E2AP_PDU_desc.fields[alt - 1].offset;
            *(uint32_t *)p = m + 1;
            assert_int_equal(kz_asn_random(pm->ies[m].type, &opts, &ga, p + pm->ies[m].offset), 0);
            size_t n = encode(&pdu, edit_buf, sizeof edit_buf);
            truncate_everywhere(edit_buf, n, pm->ies[m].name);
            total += n;
        }
    }
    printf("  every prefix of 2 built PDUs and 39 random ones (%zu bytes in all) refused\n", total);
}

static void test_lengths_past_end(void **state)
{
    (void)state;
    kz_e2ap_pdu *out;
    kz_asn_diag diag;

    /* byte 3: the outer open type's length (88) + 1: one octet more than there is */
    memcpy(edit_buf, pdu_buf, sub_len);
    assert_int_equal(edit_buf[3], sub_len - 4);
    edit_buf[3]++;
    assert_int_equal(decode(edit_buf, sub_len, &out, &diag), KZ_ETRUNC);
    show("outer open type length + 1", &diag);

    /* byte 3: 0xBF 0xFF would be a 2-octet length of 16383; here 0xBF then the message */
    memcpy(edit_buf, pdu_buf, sub_len);
    edit_buf[3] = 0xbf;
    assert_true(decode(edit_buf, sub_len, &out, &diag) < 0);

    /* byte 3: 0xC4 = fragmented length, 4 x 16K octets follow -- far past the end */
    edit_buf[3] = 0xc4;
    assert_true(decode(edit_buf, sub_len, &out, &diag) < 0);

    /* the first IE's (RICrequestID, at byte 7) length octet, byte 10: 5 -> 100, past the end */
    memcpy(edit_buf, pdu_buf, sub_len);
    assert_int_equal(edit_buf[7], 0x00);
    assert_int_equal(edit_buf[8], 29);
    assert_int_equal(edit_buf[10], 5);
    edit_buf[10] = 100;
    assert_int_equal(decode(edit_buf, sub_len, &out, &diag), KZ_ETRUNC);
    show("IE 29 length 5 -> 100", &diag);
    assert_non_null(strstr(diag.path, "(id 29)"));

    /* the IE count (bytes 5-6): 3 -> 4, one IE more than there is */
    memcpy(edit_buf, pdu_buf, sub_len);
    assert_int_equal(edit_buf[6], 3);
    edit_buf[6] = 4;
    assert_true(decode(edit_buf, sub_len, &out, &diag) < 0);
    show("IE count 3 -> 4", &diag);

    /* the IE count: 3 -> 0xFFFF */
    edit_buf[5] = 0xff;
    edit_buf[6] = 0xff;
    assert_true(decode(edit_buf, sub_len, &out, &diag) < 0);
}

static void test_trailing_bytes(void **state)
{
    (void)state;
    kz_e2ap_pdu *out;
    kz_asn_diag diag;
    /* one zero octet after a complete PDU */
    memcpy(edit_buf, pdu_buf, sub_len);
    edit_buf[sub_len] = 0;
    assert_int_equal(decode(edit_buf, sub_len + 1, &out, &diag), KZ_ETRAILING);
    show("one trailing octet", &diag);
    /* sixteen */
    memset(edit_buf + sub_len, 0xa5, 16);
    assert_int_equal(decode(edit_buf, sub_len + 16, &out, &diag), KZ_ETRAILING);
    /* the untouched PDU is fine */
    assert_int_equal(decode(pdu_buf, sub_len, &out, &diag), 0);
    assert_true(kz_asn_equal(&kz_e2ap_E2AP_PDU_desc, &sub, out));
}

/* ---- CHOICE indexes, procedure codes ------------------------------------------------------ */

static void test_bad_choice(void **state)
{
    (void)state;
    kz_e2ap_pdu *out;
    kz_asn_diag diag;

    /* byte 0: 0x60 = E2AP-PDU root index 3, but the root has only 3 alternatives (0..2) */
    memcpy(edit_buf, pdu_buf, sub_len);
    edit_buf[0] = 0x60;
    int rc = decode(edit_buf, sub_len, &out, &diag);
    assert_true(rc < 0);
    show("E2AP-PDU choice index 3", &diag);

    /* byte 0: 0x80 = extension bit set: an E2AP-PDU alternative from a newer version.  The
     * bytes after it are not a valid open type for it; it must fail or be refused, not crash. */
    edit_buf[0] = 0x80;
    rc = decode(edit_buf, sub_len, &out, &diag);
    if (rc == 0)
        assert_string_equal(kz_e2ap_message_name(out), "?");

    /* a Cause CHOICE index out of range: RICsubscriptionFailure with Cause misc, then the
     * Cause byte's 3-bit index 5 (misc) -> 7, which does not exist in the root (0..5) */
    kz_e2ap_pdu f;
    memset(&f, 0, sizeof f);
    f.present = kz_e2ap_E2AP_PDU_unsuccessfulOutcome;
    f.u.unsuccessfulOutcome.present = kz_e2ap_UnsuccessfulOutcome_RICsubscriptionFailure;
    kz_e2ap_RICsubscriptionFailure *sf = &f.u.unsuccessfulOutcome.u.RICsubscriptionFailure;
    sf->RICrequestID.ricRequestorID = 1;
    sf->RANfunctionID = 2;
    sf->Cause.present = kz_e2ap_Cause_misc;
    sf->Cause.u.misc = 0;
    size_t n = encode(&f, edit_buf, sizeof edit_buf);
    piece ps[8];
    uint8_t store[512];
    size_t np = pieces_of(&f, ps, store, sizeof store);
    size_t at[8];
    assert_int_equal(build(enc2_buf, 0x40, 8, KZ_CRIT_REJECT, ps, np, NULL, 0, at), n);
    assert_memory_equal(enc2_buf, edit_buf, n);
    size_t cause_ie = 2;
    assert_int_equal(ps[cause_ie].id, 1);
    size_t cause_val = at[cause_ie] + 4;   /* id (2), criticality (1), length (1) */
    /* Cause ::= CHOICE { 6 root alternatives, ... }: ext bit, 3-bit index, then CauseMisc's
     * ext bit + 2-bit index: 0 101 0 00 0 = 0x50 for misc/control-processing-overload */
    assert_int_equal(edit_buf[cause_val], 0x50);
    edit_buf[cause_val] = 0x70;   /* index 5 -> 7 */
    rc = decode(edit_buf, n, &out, &diag);
    assert_true(rc < 0);
    show("Cause choice index 7", &diag);
    assert_non_null(strstr(diag.path, "(id 1)"));
    assert_int_equal(diag.procedure_code, 8);
    assert_int_equal(diag.triggering_message, 2);
}

static void test_unknown_procedure(void **state)
{
    (void)state;
    kz_e2ap_pdu *out;
    kz_asn_diag diag;
    /* byte 1: procedureCode 8 -> 200, which no E2AP version defines */
    memcpy(edit_buf, pdu_buf, sub_len);
    assert_int_equal(edit_buf[1], 8);
    edit_buf[1] = 200;
    assert_int_equal(decode(edit_buf, sub_len, &out, &diag), KZ_EUNKNOWN);
    assert_int_equal(diag.procedure_code, 200);
    assert_int_equal(diag.triggering_message, 0);
    show("procedureCode 200", &diag);
    /* byte 1: 8 -> 5 (RICindication): a valid code, but the message is not an indication */
    edit_buf[1] = 5;
    assert_true(decode(edit_buf, sub_len, &out, &diag) < 0);
    /* byte 0: initiating -> successful outcome of procedure 2 (ErrorIndication has none) */
    memcpy(edit_buf, pdu_buf, sub_len);
    edit_buf[0] = 0x20;
    edit_buf[1] = 2;
    assert_int_equal(decode(edit_buf, sub_len, &out, &diag), KZ_EUNKNOWN);
}

/* ---- unknown, missing and repeated IEs --------------------------------------------------- */

static const uint8_t unknown_val[] = { 0xde, 0xad, 0xbe, 0xef };
#define UNKNOWN_ID 999

/* The subscription request with IE 999 (criticality crit) spliced in as the 4th IE. */
static size_t with_unknown(uint8_t crit, size_t *ie_at)
{
    piece ps[8];
    memcpy(ps, sub_ies, n_sub_ies * sizeof ps[0]);
    ps[n_sub_ies] = (piece){ UNKNOWN_ID, crit, unknown_val, sizeof unknown_val };
    return build(edit_buf, 0x00, 8, KZ_CRIT_REJECT, ps, n_sub_ies + 1, NULL, 0, ie_at);
}

static void test_unknown_ie_reject(void **state)
{
    (void)state;
    kz_e2ap_pdu *out;
    kz_asn_diag diag;
    size_t at[8];
    size_t n = with_unknown(KZ_CRIT_REJECT, at);
    assert_int_equal(decode(edit_buf, n, &out, &diag), KZ_EUNKNOWN);
    show("unknown IE 999, reject", &diag);
    assert_true(diag_lists(&diag, UNKNOWN_ID, KZ_CRIT_REJECT, KZ_TOE_NOT_UNDERSTOOD));
    assert_int_equal(diag.n_ies, 1);
    assert_int_equal(diag.procedure_code, 8);
    assert_int_equal(diag.triggering_message, 0);
    assert_int_equal(diag.procedure_criticality, KZ_CRIT_REJECT);
    assert_non_null(strstr(diag.path, "RICsubscriptionRequest"));
    assert_non_null(strstr(diag.path, "protocolIEs[3]"));
    assert_non_null(strstr(diag.path, "(id 999)"));
    /* the bit offset points into IE 999 (its id at byte at[3]) */
    assert_true(diag.bit >= at[3] * 8 && diag.bit < at[3] * 8 + 32);
}

static void test_unknown_ie_notify(void **state)
{
    (void)state;
    kz_e2ap_pdu *out;
    kz_asn_diag diag;
    size_t n = with_unknown(KZ_CRIT_NOTIFY, NULL);
    assert_int_equal(decode(edit_buf, n, &out, &diag), 0);
    assert_int_equal(diag.n_ies, 1);
    assert_true(diag_lists(&diag, UNKNOWN_ID, KZ_CRIT_NOTIFY, KZ_TOE_NOT_UNDERSTOOD));
    assert_true(kz_asn_equal(&kz_e2ap_E2AP_PDU_desc, &sub, out));
}

static void test_unknown_ie_ignore(void **state)
{
    (void)state;
    kz_e2ap_pdu *out;
    kz_asn_diag diag;
    size_t n = with_unknown(KZ_CRIT_IGNORE, NULL);
    assert_int_equal(decode(edit_buf, n, &out, &diag), 0);
    assert_int_equal(diag.n_ies, 0);
    assert_int_equal(diag.code, 0);
    assert_true(kz_asn_equal(&kz_e2ap_E2AP_PDU_desc, &sub, out));

    /* unknown IE first, then the known ones: order does not matter */
    piece ps[8];
    ps[0] = (piece){ UNKNOWN_ID, KZ_CRIT_IGNORE, unknown_val, sizeof unknown_val };
    memcpy(ps + 1, sub_ies, n_sub_ies * sizeof ps[0]);
    n = build(edit_buf, 0x00, 8, KZ_CRIT_REJECT, ps, n_sub_ies + 1, NULL, 0, NULL);
    assert_int_equal(decode(edit_buf, n, &out, &diag), 0);
    assert_true(kz_asn_equal(&kz_e2ap_E2AP_PDU_desc, &sub, out));
}

static void test_missing_mandatory(void **state)
{
    (void)state;
    kz_e2ap_pdu *out;
    kz_asn_diag diag;
    /* RICsubscriptionRequest without its 3rd IE, RICsubscriptionDetails (id 30, reject) */
    assert_int_equal(sub_ies[2].id, 30);
    size_t n = build(edit_buf, 0x00, 8, KZ_CRIT_REJECT, sub_ies, 2, NULL, 0, NULL);
    assert_int_equal(decode(edit_buf, n, &out, &diag), KZ_EMISSING);
    show("RICsubscriptionDetails (30) missing", &diag);
    assert_true(diag_lists(&diag, 30, KZ_CRIT_REJECT, KZ_TOE_MISSING));
    assert_int_equal(diag.procedure_code, 8);

    /* without RICrequestID and RANfunctionID: both listed */
    n = build(edit_buf, 0x00, 8, KZ_CRIT_REJECT, sub_ies + 2, 1, NULL, 0, NULL);
    assert_int_equal(decode(edit_buf, n, &out, &diag), KZ_EMISSING);
    assert_true(diag_lists(&diag, 29, KZ_CRIT_REJECT, KZ_TOE_MISSING));
    assert_true(diag_lists(&diag, 5, KZ_CRIT_REJECT, KZ_TOE_MISSING));

    /* a mandatory IE whose criticality is ignore: RICcontrolFailure without Cause (id 1,
     * ignore).  E2AP 10.3.5: the receiver ignores the missing IE and goes on: decode succeeds,
     * and the IE is still listed as missing. */
    kz_e2ap_pdu f;
    memset(&f, 0, sizeof f);
    f.present = kz_e2ap_E2AP_PDU_unsuccessfulOutcome;
    f.u.unsuccessfulOutcome.present = kz_e2ap_UnsuccessfulOutcome_RICcontrolFailure;
    kz_e2ap_RICcontrolFailure *cf = &f.u.unsuccessfulOutcome.u.RICcontrolFailure;
    cf->RICrequestID.ricRequestorID = 3;
    cf->RANfunctionID = 4;
    cf->Cause.present = kz_e2ap_Cause_misc;
    piece ps[8], keep[8];
    uint8_t store[512];
    size_t np = pieces_of(&f, ps, store, sizeof store), nk = 0;
    for (size_t i = 0; i < np; i++)
        if (ps[i].id != 1)
            keep[nk++] = ps[i];
    assert_int_equal(nk, np - 1);
    n = build(edit_buf, 0x40, 4, KZ_CRIT_REJECT, keep, nk, NULL, 0, NULL);
    int rc = decode(edit_buf, n, &out, &diag);
    assert_int_equal(rc, 0);
    assert_true(diag_lists(&diag, 1, KZ_CRIT_IGNORE, KZ_TOE_MISSING));
}

static void test_ie_twice(void **state)
{
    (void)state;
    kz_e2ap_pdu *out;
    kz_asn_diag diag;
    /* RICrequestID, RANfunctionID, RICsubscriptionDetails, RICrequestID again */
    piece ps[8];
    memcpy(ps, sub_ies, n_sub_ies * sizeof ps[0]);
    ps[n_sub_ies] = sub_ies[0];
    size_t n = build(edit_buf, 0x00, 8, KZ_CRIT_REJECT, ps, n_sub_ies + 1, NULL, 0, NULL);
    int rc = decode(edit_buf, n, &out, &diag);
    assert_true(rc < 0);
    show("RICrequestID (29) twice", &diag);
    assert_true(diag_lists(&diag, 29, KZ_CRIT_REJECT, KZ_TOE_NOT_UNDERSTOOD));
    assert_non_null(strstr(diag.path, "protocolIEs[3]"));
    assert_non_null(strstr(diag.path, "(id 29)"));
}

/* ---- unknown extension additions ---------------------------------------------------------- */

static void test_unknown_extension_additions(void **state)
{
    (void)state;
    kz_e2ap_pdu *out;
    kz_asn_diag diag;
    /* RICrequestID ::= SEQUENCE { ricRequestorID (0..65535), ricInstanceID (0..65535), ... }
     * ours: 00 | 00 01 | 00 01.  Hand-crafted by a newer peer with one extension addition:
     *   80          extension bit set (+ padding)
     *   00 01 00 01 the two root fields
     *   01          normally small number of additions - 1 = 0 (7 bits 0000000), bitmap "1"
     *   02 ab cd    the addition as an open type: length 2, contents ab cd */
    assert_int_equal(sub_ies[0].id, 29);
    static const uint8_t expected[] = { 0x00, 0x00, 0x01, 0x00, 0x01 };
    assert_int_equal(sub_ies[0].len, sizeof expected);
    assert_memory_equal(sub_ies[0].val, expected, sizeof expected);
    static const uint8_t req_id_v9[] = { 0x80, 0x00, 0x01, 0x00, 0x01, 0x01, 0x02, 0xab, 0xcd };
    piece ps[8];
    memcpy(ps, sub_ies, n_sub_ies * sizeof ps[0]);
    ps[0].val = req_id_v9;
    ps[0].len = sizeof req_id_v9;
    size_t n = build(edit_buf, 0x00, 8, KZ_CRIT_REJECT, ps, n_sub_ies, NULL, 0, NULL);
    int rc = decode(edit_buf, n, &out, &diag);
    if (rc)
        show("RICrequestID with an unknown addition", &diag);
    assert_int_equal(rc, 0);
    assert_int_equal(diag.n_ies, 0);
    assert_true(kz_asn_equal(&kz_e2ap_E2AP_PDU_desc, &sub, out));

    /* Three additions, only the 2nd present: 02 = n-1 = 2 (0000010), then bitmap "010" */
    static const uint8_t req_id_3[] = { 0x80, 0x00, 0x01, 0x00, 0x01,
                                        0x04, 0x40,   /* 0000010 010 + 6 padding bits */
                                        0x01, 0x77 };
    ps[0].val = req_id_3;
    ps[0].len = sizeof req_id_3;
    n = build(edit_buf, 0x00, 8, KZ_CRIT_REJECT, ps, n_sub_ies, NULL, 0, NULL);
    rc = decode(edit_buf, n, &out, &diag);
    if (rc)
        show("RICrequestID with 3 additions, 1 present", &diag);
    assert_int_equal(rc, 0);
    assert_true(kz_asn_equal(&kz_e2ap_E2AP_PDU_desc, &sub, out));

    /* The message SEQUENCE itself (RICsubscriptionRequest ::= SEQUENCE { protocolIEs, ... })
     * with its extension bit set (first message octet 0x00 -> 0x80) and one addition after
     * the IE container: 01 (count 1, bitmap 1), 03 01 02 03 (open type) */
    static const uint8_t msg_tail[] = { 0x01, 0x03, 0x01, 0x02, 0x03 };
    n = build(edit_buf, 0x00, 8, KZ_CRIT_REJECT, sub_ies, n_sub_ies, msg_tail, sizeof msg_tail, NULL);
    rc = decode(edit_buf, n, &out, &diag);
    if (rc)
        show("message with an unknown addition", &diag);
    assert_int_equal(rc, 0);
    assert_true(kz_asn_equal(&kz_e2ap_E2AP_PDU_desc, &sub, out));

    /* The action item (RICaction-ToBeSetup-Item, v3 knows one addition:
     * ricActionExecutionOrder) from a v4 peer with two additions, the unknown 2nd present:
     * encode ours with ricActionExecutionOrder = 5, then patch in the second addition.
     * Simpler and exact: decode a hand-made item on its own. */
    kz_e2ap_RICaction_ToBeSetup_Item item;
    memset(&item, 0, sizeof item);
    item.ricActionID = 9;
    item.ricActionType = kz_e2ap_RICactionType_policy;
    item.has_ricActionExecutionOrder = true;
    item.ricActionExecutionOrder = 5;
    uint8_t ib[64];
    long il = kz_asn_encode(&kz_e2ap_RICaction_ToBeSetup_Item_desc, &item, ib, sizeof ib, NULL);
    assert_true(il > 0);
    /* ours, 80 09 40 20 02 00 05:
     *   80     extension bit 1, optional bitmap 00 (no definition, no subsequent action), padding
     *   09     ricActionID
     *   40 20  ricActionType policy: ext bit 0, index "10"; then the number of additions - 1
     *          as a normally small number "0 000000", then the bitmap "1", padding
     *   02 00 05  the addition (RICactionExecutionOrder 5: ext bit + padding, 05) as open type
     * A v4 peer with two additions, the 2nd unknown to us:
     *   40 70  "010" type, "0 000001" = two additions, bitmap "11", padding
     *   02 00 05  the known one;  01 ff  the unknown one */
    static const uint8_t ours[] = { 0x80, 0x09, 0x40, 0x20, 0x02, 0x00, 0x05 };
    assert_int_equal(il, sizeof ours);
    assert_memory_equal(ib, ours, sizeof ours);
    static const uint8_t v4[] = { 0x80, 0x09, 0x40, 0x70, 0x02, 0x00, 0x05, 0x01, 0xff };
    size_t k = sizeof v4;
    kz_arena a;
    kz_arena_init(&a, arena_mem, sizeof arena_mem);
    void *iv = NULL;
    kz_asn_diag_init(&diag);
    rc = kz_asn_decode(&kz_e2ap_RICaction_ToBeSetup_Item_desc, v4, k, &a, &iv, &diag);
    if (rc)
        show("action item with an unknown 2nd addition", &diag);
    assert_int_equal(rc, 0);
    assert_true(kz_asn_equal(&kz_e2ap_RICaction_ToBeSetup_Item_desc, &item, iv));
}

/* ---- diagnostics: path and bit offset ---------------------------------------------------- */

static void test_diag_path_and_bit(void **state)
{
    (void)state;
    kz_e2ap_pdu ind, *out;
    kz_asn_diag diag;
    build_indication(&ind);
    uint8_t ib[1024];
    size_t n = encode(&ind, ib, sizeof ib);
    piece ps[16];
    uint8_t store[2048];
    size_t np = pieces_of(&ind, ps, store, sizeof store), at[16];
    assert_int_equal(build(edit_buf, 0x00, 5, KZ_CRIT_IGNORE, ps, np, NULL, 0, at), n);
    assert_memory_equal(edit_buf, ib, n);
    /* RICindicationMessage (id 26) is the 7th IE (index 6); its value is an OCTET STRING of 200
     * octets: open type length 80 cb (203), then the octet string's own length 80 c8 (200).
     * Edit the inner length 200 -> 300 (81 2c): the string runs past its open type. */
    size_t k = 6;
    assert_int_equal(ps[k].id, 26);
    size_t val = at[k] + 3 + 2;   /* id, criticality, 2-octet open type length */
    assert_int_equal(edit_buf[val], 0x80);
    assert_int_equal(edit_buf[val + 1], 200);
    edit_buf[val] = 0x81;
    edit_buf[val + 1] = 0x2c;
    int rc = decode(edit_buf, n, &out, &diag);
    assert_int_equal(rc, KZ_ETRUNC);
    show("RICindicationMessage length 200 -> 300", &diag);
    assert_non_null(strstr(diag.path, "RICindication"));
    assert_non_null(strstr(diag.path, "protocolIEs[6]"));
    /* the form kizuna/asn.h documents, without "protocolIEs" twice */
    assert_null(strstr(diag.path, "protocolIEs.protocolIEs"));
    assert_non_null(strstr(diag.path, "E2AP-PDU.initiatingMessage.value(RICindication).protocolIEs[6](id 26)"));
    assert_non_null(strstr(diag.path, "(id 26)"));
    assert_true(diag_lists(&diag, 26, KZ_CRIT_REJECT, KZ_TOE_NOT_UNDERSTOOD));
    /* the offset is inside IE 26 */
    assert_true(diag.bit >= at[k] * 8);
    assert_true(diag.bit <= n * 8);

    /* RICindicationType (id 28) ENUMERATED { report, insert, ... }: 0x00 -> 0x60 = root
     * index 3 without the extension bit, out of range */
    memcpy(edit_buf, ib, n);
    k = 4;
    assert_int_equal(ps[k].id, 28);
    val = at[k] + 3 + 1;
    assert_int_equal(edit_buf[val], 0x00);
    edit_buf[val] = 0x40;   /* 0 1 ...: index 1 = insert, still valid */
    assert_int_equal(decode(edit_buf, n, &out, &diag), 0);
    assert_int_equal(out->u.initiatingMessage.u.RICindication.RICindicationType, kz_e2ap_RICindicationType_insert);
    edit_buf[val] = 0x80;   /* extension bit: an extension value from a newer version, kept */
    edit_buf[val] = 0x81;
    rc = decode(edit_buf, n, &out, &diag);
    if (rc == 0)
        assert_true(out->u.initiatingMessage.u.RICindication.RICindicationType >= 2);

    /* kz_asn_diag_format gives "path: detail (bit N)" */
    char b[512];
    memcpy(edit_buf, ib, n);
    edit_buf[at[6] + 5] = 0x81;
    edit_buf[at[6] + 6] = 0x2c;
    decode(edit_buf, n, &out, &diag);
    kz_asn_diag_format(&diag, b, sizeof b);
    assert_non_null(strstr(b, "(bit "));
    assert_non_null(strstr(b, "(id 26)"));
}

/* ---- ErrorIndication ---------------------------------------------------------------------- */

static void test_error_indication(void **state)
{
    (void)state;
    kz_e2ap_pdu *out, ei, *back;
    kz_asn_diag diag, d2;
    kz_e2ap_CriticalityDiagnostics_IE_Item items[KZ_ASN_DIAG_MAX_IES];

    /* an unknown reject IE and, in the same message, a missing mandatory one */
    piece ps[8];
    ps[0] = sub_ies[0];
    ps[1] = sub_ies[1];
    ps[2] = (piece){ UNKNOWN_ID, KZ_CRIT_REJECT, unknown_val, sizeof unknown_val };
    size_t n = build(edit_buf, 0x00, 8, KZ_CRIT_REJECT, ps, 3, NULL, 0, NULL);
    assert_true(decode(edit_buf, n, &out, &diag) < 0);
    assert_true(diag_lists(&diag, UNKNOWN_ID, KZ_CRIT_REJECT, KZ_TOE_NOT_UNDERSTOOD));
    assert_true(diag_lists(&diag, 30, KZ_CRIT_REJECT, KZ_TOE_MISSING));

    kz_e2ap_error_indication(&diag, &ei, items);
    uint8_t eb[1024];
    size_t en = encode(&ei, eb, sizeof eb);
    kz_arena a;
    static uint8_t mem2[1 << 20];
    kz_arena_init(&a, mem2, sizeof mem2);
    kz_asn_diag_init(&d2);
    assert_int_equal(kz_e2ap_decode(eb, en, &a, &back, &d2), 0);
    assert_true(kz_asn_equal(&kz_e2ap_E2AP_PDU_desc, &ei, back));
    assert_string_equal(kz_e2ap_message_name(back), "ErrorIndication");
    const kz_e2ap_ErrorIndication *e = &back->u.initiatingMessage.u.ErrorIndication;
    assert_true(e->has_Cause);
    assert_int_equal(e->Cause.present, kz_e2ap_Cause_protocol);
    assert_int_equal(e->Cause.u.protocol, kz_e2ap_CauseProtocol_abstract_syntax_error_reject);
    assert_true(e->has_CriticalityDiagnostics);
    const kz_e2ap_CriticalityDiagnostics *cd = &e->CriticalityDiagnostics;
    assert_true(cd->has_procedureCode);
    assert_int_equal(cd->procedureCode, 8);
    assert_true(cd->has_triggeringMessage);
    assert_int_equal(cd->triggeringMessage, kz_e2ap_TriggeringMessage_initiating_message);
    assert_true(cd->has_procedureCriticality);
    assert_int_equal(cd->procedureCriticality, kz_e2ap_Criticality_reject);
    assert_true(cd->has_iEsCriticalityDiagnostics);
    bool unknown = false, missing = false;
    for (uint32_t i = 0; i < cd->iEsCriticalityDiagnostics.count; i++) {
        const kz_e2ap_CriticalityDiagnostics_IE_Item *it = &cd->iEsCriticalityDiagnostics.items[i];
        if (it->iE_ID == UNKNOWN_ID && it->iECriticality == kz_e2ap_Criticality_reject &&
            it->typeOfError == kz_e2ap_TypeOfError_not_understood)
            unknown = true;
        if (it->iE_ID == 30 && it->typeOfError == kz_e2ap_TypeOfError_missing)
            missing = true;
    }
    assert_true(unknown);
    assert_true(missing);

    /* a PDU that cannot be read at all: transfer syntax error, no procedure to name */
    static const uint8_t garbage[] = { 0x60, 0xff };
    assert_true(decode(garbage, sizeof garbage, &out, &diag) < 0);
    kz_e2ap_error_indication(&diag, &ei, items);
    en = encode(&ei, eb, sizeof eb);
    kz_arena_init(&a, mem2, sizeof mem2);
    assert_int_equal(kz_e2ap_decode(eb, en, &a, &back, &d2), 0);
    e = &back->u.initiatingMessage.u.ErrorIndication;
    assert_true(e->has_Cause);
    assert_int_equal(e->Cause.u.protocol, kz_e2ap_CauseProtocol_transfer_syntax_error);

    /* a truncated subscription request: the procedure is known, so it is named */
    assert_true(decode(pdu_buf, 12, &out, &diag) < 0);
    kz_e2ap_error_indication(&diag, &ei, items);
    en = encode(&ei, eb, sizeof eb);
    kz_arena_init(&a, mem2, sizeof mem2);
    assert_int_equal(kz_e2ap_decode(eb, en, &a, &back, &d2), 0);
    e = &back->u.initiatingMessage.u.ErrorIndication;
    if (diag.procedure_code == 8) {
        assert_true(e->has_CriticalityDiagnostics);
        assert_int_equal(e->CriticalityDiagnostics.procedureCode, 8);
    }
}

/* ---- bit flips: anything goes, except a crash or a non-idempotent decode ------------------ */

static void test_bit_flips(void **state)
{
    (void)state;
    kz_e2ap_pdu *out, ind;
    kz_asn_diag diag;
    build_indication(&ind);
    uint8_t ib[1024];
    size_t in = encode(&ind, ib, sizeof ib);
    const uint8_t *pdus[2] = { pdu_buf, ib };
    size_t lens[2] = { sub_len, in };
    size_t decoded = 0, refused = 0, reencoded = 0, inconsistent = 0;
    for (int p = 0; p < 2; p++) {
        for (size_t bit = 0; bit < lens[p] * 8; bit++) {
            uint8_t *copy = malloc(lens[p]);
            assert_non_null(copy);
            memcpy(copy, pdus[p], lens[p]);
            copy[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
            int rc = decode(copy, lens[p], &out, &diag);
            if (rc < 0) {
                refused++;
                /* the code returned and the first error in diag should agree */
                if (diag.code != rc && inconsistent++ == 0) {
                    char b[512];
                    printf("  flip of bit %zu: decode returned %d but diag says %d: %s\n", bit, rc,
                           diag.code, kz_asn_diag_format(&diag, b, sizeof b));
                }
            } else {
                decoded++;
                /* if we can write it back, reading that must give the same value */
                long n = kz_e2ap_encode(out, enc2_buf, sizeof enc2_buf, NULL);
                if (n > 0) {
                    static kz_arena a2;
                    static uint8_t m2[4 << 20];
                    kz_arena_init(&a2, m2, sizeof m2);
                    kz_e2ap_pdu *again;
                    kz_asn_diag d2;
                    kz_asn_diag_init(&d2);
                    assert_int_equal(kz_e2ap_decode(enc2_buf, (size_t)n, &a2, &again, &d2), 0);
                    assert_true(kz_asn_equal(&kz_e2ap_E2AP_PDU_desc, out, again));
                    reencoded++;
                }
            }
            free(copy);
        }
    }
    printf("  single bit flips: %zu refused, %zu decoded (%zu re-encoded and decoded equal)\n",
           refused, decoded, reencoded);
    assert_int_equal(inconsistent, 0);
}

/* ---- E2AP v02.03 peers --------------------------------------------------------------------- */

static void test_v2_compat(void **state)
{
    (void)state;
    kz_e2ap_pdu *out;
    kz_asn_diag diag;
    /* The subscription request as built has none of v3's additions to it: no
     * RICsubscriptionStartTime (62) / EndTime (63) IEs, and action items whose extension bit is
     * 0 (no ricActionExecutionOrder).  Its bytes are what a v02.03 node sends: checked here
     * against the v2 layout by hand, then decoded. */
    static const uint8_t v2[] = {
        0x00, 0x08, 0x00, 0x33,             /* initiating, procedure 8, reject, length 51 */
        0x00, 0x00, 0x03,                   /* no extension, 3 IEs */
        0x00, 0x1d, 0x00, 0x05, 0x00, 0x00, 0x01, 0x00, 0x01,   /* RICrequestID 1/1 */
        0x00, 0x05, 0x00, 0x02, 0x00, 0x02,                     /* RANfunctionID 2 */
        0x00, 0x1e, 0x00, 0x1d,             /* RICsubscriptionDetails, reject, length 29 */
        0x00,                               /* no extension */
        0x03, 0x08, 0x03, 0xe7,             /* event trigger: length 3 */
        0x10,                               /* SIZE(1..16): count - 1 = 1 in 4 bits, padding */
        0x00, 0x13, 0x40, 0x0c,             /* SingleContainer: id 19, ignore, length 12 */
        0x40, 0x01, 0x00,                   /* item: ext 0 (no ricActionExecutionOrder),
                                             * definition present, no subsequent action;
                                             * id 1; type report */
        0x08, 0x00, 0x01, 0x01, 0x08, 0x00, 0x01, 0x00, 0xa0,   /* action definition */
        0x00, 0x13, 0x40, 0x03,             /* 2nd action: id 19, ignore, length 3 */
        0x00, 0x02, 0x20,                   /* ext 0, no options; id 2; type insert */
    };
    size_t n = sub_len;
    if (n != sizeof v2 || memcmp(pdu_buf, v2, n)) {
        printf("  ours: ");
        for (size_t i = 0; i < n; i++)
            printf("%02x", pdu_buf[i]);
        printf("\n");
    }
    int rc = decode(v2, sizeof v2, &out, &diag);
    if (rc)
        show("v02.03 RICsubscriptionRequest", &diag);
    assert_int_equal(rc, 0);
    assert_int_equal(diag.n_ies, 0);
    const kz_e2ap_RICsubscriptionRequest *r = &out->u.initiatingMessage.u.RICsubscriptionRequest;
    assert_false(r->has_RICsubscriptionStartTime);
    assert_false(r->has_RICsubscriptionEndTime);
    assert_int_equal(r->RICsubscriptionDetails.ricAction_ToBeSetup_List.count, 2);
    for (unsigned i = 0; i < 2; i++)
        assert_false(r->RICsubscriptionDetails.ricAction_ToBeSetup_List.items[i].value.has_ricActionExecutionOrder);
    assert_true(kz_asn_equal(&kz_e2ap_E2AP_PDU_desc, &sub, out));
    assert_int_equal(sizeof v2, sub_len);
    assert_memory_equal(v2, pdu_buf, sub_len);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builder_matches_encoder),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_lengths_past_end),
        cmocka_unit_test(test_trailing_bytes),
        cmocka_unit_test(test_bad_choice),
        cmocka_unit_test(test_unknown_procedure),
        cmocka_unit_test(test_unknown_ie_reject),
        cmocka_unit_test(test_unknown_ie_notify),
        cmocka_unit_test(test_unknown_ie_ignore),
        cmocka_unit_test(test_missing_mandatory),
        cmocka_unit_test(test_ie_twice),
        cmocka_unit_test(test_unknown_extension_additions),
        cmocka_unit_test(test_diag_path_and_bit),
        cmocka_unit_test(test_error_indication),
        cmocka_unit_test(test_bit_flips),
        cmocka_unit_test(test_v2_compat),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
