/*
 * fuzz_ccc.c -- libFuzzer target for the E2SM-CCC JSON codec (kizuna/e2sm_ccc.h), which the RIC
 * and xApps run on whatever a peer puts in a CCC octet string.
 *
 * Every input is offered to all four parsers (RAN function definition, control header, control
 * message, control outcome): real payloads of one kind are often near misses of another.
 * Properties, each an abort() when violated (fuzz_common.h has the ASN.1 ones):
 *
 *  1. a parse may refuse any input, with a negative KZ_E* code, but never crash, hang, leak
 *     or read out of bounds (ASan, UBSan); a refusal names a path in err.text;
 *  2. what parses encodes (the pass-through text arena is given, so nothing is dropped) --
 *     unless it holds a list the spec sizes 1..N but arrived empty: the parser takes empty
 *     lists (e2sm_ccc.c get_list, "liberal about empty"), the encoder writes only what the
 *     spec allows (KZ_EINVAL, "need 1..").  Found by this fuzzer; pinned in
 *     tests/proto/test_e2sm_ccc.c (test_empty_structure_list);
 *  3. that encoding parses again, and encoding the result gives the same bytes: the encoder's
 *     output is a fixed point.  (The typed structs hold pointers into the text arena, so the
 *     bytes are what is compared, not the structs.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kizuna/e2sm_ccc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { KIND_DEF, KIND_HDR, KIND_MSG, KIND_OUT, N_KINDS };
static const char *const kind_name[N_KINDS] = { "ran_function_def", "control_header",
                                                "control_message", "control_outcome" };

/* The structs are tens of KiB each (see e2sm_ccc.h): one of each, reused. */
static union {
    kz_ccc_ran_function_def def;
    kz_ccc_control_header hdr;
    kz_ccc_control_message msg;
    kz_ccc_control_outcome out;
} v1, v2;

#define ENC_CAP (512u * 1024u)
static uint8_t enc1[ENC_CAP], enc2[ENC_CAP];
#define TEXT_CAP (1024u * 1024u)
static uint8_t text_mem[2][TEXT_CAP];

static int parse(int kind, const uint8_t *b, size_t n, void *out, kz_arena *text, kz_ccc_err *err)
{
    switch (kind) {
    case KIND_DEF: return kz_ccc_ran_function_def_parse(b, n, out, text, err);
    case KIND_HDR: return kz_ccc_control_header_parse(b, n, out, err);
    case KIND_MSG: return kz_ccc_control_message_parse(b, n, out, text, err);
    default:       return kz_ccc_control_outcome_parse(b, n, out, text, err);
    }
}

static long encode(int kind, const void *in, uint8_t *buf, size_t cap, kz_ccc_err *err)
{
    switch (kind) {
    case KIND_DEF: return kz_ccc_ran_function_def_encode(in, buf, cap, err);
    case KIND_HDR: return kz_ccc_control_header_encode(in, buf, cap, err);
    case KIND_MSG: return kz_ccc_control_message_encode(in, buf, cap, err);
    default:       return kz_ccc_control_outcome_encode(in, buf, cap, err);
    }
}

/* A control message / outcome with a list the encoder refuses to write empty (see 2.). */
static bool has_empty_list(int kind, const void *v)
{
    if (kind == KIND_MSG) {
        const kz_ccc_control_message *m = v;
        if (m->format == 1)
            return m->n_items == 0;
        if (m->n_cells == 0)
            return true;
        for (unsigned i = 0; i < m->n_cells && i < KZ_CCC_MAX_CELLS; i++)
            if (m->cells[i].n_items == 0)
                return true;
    } else if (kind == KIND_OUT) {
        const kz_ccc_control_outcome *o = v;
        return o->format == 2 && o->n_cells == 0;
    }
    return false;
}

static _Noreturn void fail(const char *what, int kind, const kz_ccc_err *err, const uint8_t *data,
                           size_t size)
{
    fprintf(stderr, "fuzz: PROPERTY VIOLATED: %s (%s)\n", what, kind_name[kind]);
    if (err && err->code)
        fprintf(stderr, "  err %d: %s\n", err->code, err->text);
    fprintf(stderr, "  input (%zu bytes): %.*s\n", size, (int)(size > 2000 ? 2000 : size),
            (const char *)data);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int kind = 0; kind < N_KINDS; kind++) {
        kz_arena t1, t2;
        kz_arena_init(&t1, text_mem[0], TEXT_CAP);
        kz_arena_init(&t2, text_mem[1], TEXT_CAP);
        kz_ccc_err err;
        memset(&err, 0, sizeof err);
        int rc = parse(kind, data, size, &v1, &t1, &err);
        if (rc > 0)
            fail("parse returned a positive code", kind, &err, data, size);
        if (rc < 0) {
            if (!err.text[0])
                fail("a refusal without an error text", kind, &err, data, size);
            continue;
        }
        memset(&err, 0, sizeof err);
        long n1 = encode(kind, &v1, enc1, ENC_CAP, &err);
        if (n1 == KZ_EINVAL && has_empty_list(kind, &v1))
            continue;
        if (n1 < 0)
            fail("a parsed value does not encode", kind, &err, data, size);
        memset(&err, 0, sizeof err);
        if (parse(kind, enc1, (size_t)n1, &v2, &t2, &err))
            fail("our own encoding does not parse", kind, &err, enc1, (size_t)n1);
        memset(&err, 0, sizeof err);
        long n2 = encode(kind, &v2, enc2, ENC_CAP, &err);
        if (n2 < 0)
            fail("our own encoding, parsed, does not encode", kind, &err, enc1, (size_t)n1);
        if (n1 != n2 || memcmp(enc1, enc2, (size_t)n1))
            fail("encode(parse(encode(parse(x)))) differs from encode(parse(x))", kind, NULL, enc1,
                 (size_t)n1);
    }
    return 0;
}
