/*
 * e2sm_ccc.c -- E2SM-CCC (Cell Configuration and Control): JSON <-> typed structs.
 *
 * Why this exists: CCC is the service model through which the RIC puts a cell into energy
 * saving, the reason Kizuna exists.  It is JSON, not APER, and no official schema is public,
 * so every open implementation spells a few things its own way (srsRAN writes cellGlobalID in
 * the RAN function definition and cellGlobalId elsewhere; outcomes arrive with or without the
 * controlOutcomeFormat wrapper; FlexRIC has its own header).  This file is the one place that
 * knows those spellings: it reads all of them and writes one (docs/e2sm-ccc.md has the table).
 *
 * Guarantees:
 *   1. Any byte string is safe input.  Input is length-bounded (KZ_CCC_MAX_INPUT), parsed by
 *      jansson with duplicate keys rejected, then walked with a type check before every use;
 *      lists are checked against the bounds in e2sm_ccc.h before anything is copied.  Nothing
 *      asserts on input.  Every failure returns a negative KZ_E* code and a reason that names
 *      the JSON path (`controlMessageFormat.listOfCellsControlled[0].cellGlobalId...`).
 *   2. The typed result is caller-owned: fixed arrays, names copied in, and pass-through JSON
 *      text copied into the caller's arena.  No jansson object outlives a call.
 *   3. What is not typed is not lost: unknown structures and unmodelled attributes travel as
 *      JSON text and are merged back on encode, so parse -> encode -> parse is the identity
 *      on the JSON value (not on whitespace or key order of pass-through objects).
 *   4. Encoders validate what they write (36-bit NCI, digit PLMNs, ratios 0..100, bounds) and
 *      write compact JSON into the caller's buffer, or KZ_ENOSPC.
 *
 * Why jansson: it is a small, long-maintained C library in Debian (libjansson-dev), parses from
 * a (pointer, length) pair without requiring a NUL (E2AP octet strings have none), rejects
 * "\u0000" and raw control characters by default, bounds nesting depth, and has an explicit
 * reference-counting API that is easy to audit for leaks under ASan.  The price: it allocates
 * while parsing, so CCC (unlike the APER codecs) is not malloc-free; every allocation is freed
 * before the call returns.  CCC messages are control-plane and rare (one per cell decision),
 * not on the indication hot path.
 *
 * Structure: a small path stack (ctx) that every step pushes a key or index onto, so an error
 * anywhere can print where it happened; typed readers per JSON shape (plmn, cgi, values, item,
 * lists); the mirror-image writers; then the public entry points and xApp helpers.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "kizuna/e2sm_ccc.h"

#define NCI_MAX ((UINT64_C(1) << 36) - 1)

/* ---- context: path stack, first error, arena ----------------------------------------- */

typedef struct ccc_ctx {
    kz_ccc_err *err;
    kz_arena *arena;
    int code;                /* first error seen (also when err == NULL) */
    size_t plen;
    char path[256];
} ccc_ctx;

static void ctx_init(ccc_ctx *c, kz_ccc_err *err, kz_arena *arena)
{
    memset(c, 0, sizeof *c);
    c->err = err;
    c->arena = arena;
    if (err)
        memset(err, 0, sizeof *err);
}

static size_t path_push(ccc_ctx *c, const char *fmt, ...)
{
    size_t old = c->plen;
    size_t room = sizeof c->path - c->plen;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(c->path + c->plen, room, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    c->plen = (size_t)n >= room ? sizeof c->path - 1 : c->plen + (size_t)n;
    return old;
}

static size_t path_key(ccc_ctx *c, const char *key)
{
    return c->plen ? path_push(c, ".%s", key) : path_push(c, "%s", key);
}

static size_t path_idx(ccc_ctx *c, size_t i) { return path_push(c, "[%zu]", i); }

static void path_pop(ccc_ctx *c, size_t old)
{
    c->plen = old;
    c->path[old] = '\0';
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int fail(ccc_ctx *c, int code, const char *fmt, ...)
{
    if (c->code)
        return c->code;
    c->code = code;
    if (c->err) {
        kz_ccc_err *e = c->err;
        e->code = code;
        snprintf(e->path, sizeof e->path, "%s", c->plen ? c->path : "(top level)");
        int n = snprintf(e->text, sizeof e->text, "%s: ", e->path);
        if (n < 0 || (size_t)n >= sizeof e->text)
            n = (int)sizeof e->text - 1;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->text + n, sizeof e->text - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return code;
}

static const char *type_name(const json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a real number";
    case JSON_TRUE: return "true";
    case JSON_FALSE: return "false";
    case JSON_NULL: return "null";
    }
    return "?";
}

/* ---- readers ------------------------------------------------------------------------- */

static int load(ccc_ctx *c, const uint8_t *bytes, size_t len, json_t **root)
{
    *root = NULL;
    if (!bytes && len)
        return fail(c, KZ_EINVAL, "NULL input with length %zu", len);
    if (len == 0)
        return fail(c, KZ_ETRUNC, "empty input, expected a JSON object");
    if (len > KZ_CCC_MAX_INPUT)
        return fail(c, KZ_ERANGE, "input of %zu bytes exceeds the %u-byte limit", len,
                    (unsigned)KZ_CCC_MAX_INPUT);
    /* A raw NUL is never valid JSON (not whitespace; must be escaped in strings), yet jansson
     * skips one that follows a number ({"a":1<NUL>} loads as {"a":1}). */
    const uint8_t *nul = memchr(bytes, 0, len);
    if (nul)
        return fail(c, KZ_EJSON, "not valid JSON: NUL byte at offset %zu", (size_t)(nul - bytes));
    json_error_t je;
    json_t *j = json_loadb((const char *)bytes, len, JSON_REJECT_DUPLICATES, &je);
    if (!j) {
        int code = json_error_code(&je) == json_error_premature_end_of_input ? KZ_ETRUNC
                                                                               : KZ_EJSON;
        return fail(c, code, "not valid JSON: %s (byte %d)", je.text, je.position);
    }
    if (!json_is_object(j)) {
        int rc = fail(c, KZ_EJSON, "expected an object, got %s", type_name(j));
        json_decref(j);
        return rc;
    }
    *root = j;
    return 0;
}

/* First of the NULL-terminated alias keys present in obj; *which gets its spelling. */
static json_t *get_alias(json_t *obj, const char *const *keys, const char **which)
{
    for (; *keys; keys++) {
        json_t *v = json_object_get(obj, *keys);
        if (v) {
            *which = *keys;
            return v;
        }
    }
    return NULL;
}

/* Member `key` (or an alias) of obj with type `want`.  Absent: KZ_EMISSING if required,
 * else 0 with *out = NULL.  Wrong type: KZ_EJSON naming the member. */
static int member_a(ccc_ctx *c, json_t *obj, const char *const *keys, json_type want,
                    bool required, json_t **out)
{
    const char *which = keys[0];
    json_t *v = get_alias(obj, keys, &which);
    *out = NULL;
    if (!v) {
        if (!required)
            return 0;
        size_t p = path_key(c, keys[0]);
        int rc = fail(c, KZ_EMISSING, "missing");
        path_pop(c, p);
        return rc;
    }
    bool ok = json_typeof(v) == want ||
              (want == JSON_TRUE && json_is_boolean(v));   /* JSON_TRUE means "boolean" */
    if (!ok) {
        static const char *const names[] = { "an object", "an array", "a string",
                                             "an integer", "a number", "a boolean",
                                             "a boolean", "null" };
        size_t p = path_key(c, which);
        int rc = fail(c, KZ_EJSON, "expected %s, got %s", names[want], type_name(v));
        path_pop(c, p);
        return rc;
    }
    *out = v;
    return 0;
}

static int member(ccc_ctx *c, json_t *obj, const char *key, json_type want, bool required,
                  json_t **out)
{
    const char *const keys[] = { key, NULL };
    return member_a(c, obj, keys, want, required, out);
}

/* The path of a member for errors about its value; pop with path_pop. */
static size_t at(ccc_ctx *c, json_t *obj, const char *const *keys)
{
    const char *which = keys[0];
    get_alias(obj, keys, &which);
    return path_key(c, which);
}

static int str_copy(ccc_ctx *c, json_t *s, char *dst, size_t cap)
{
    size_t n = json_string_length(s);
    if (n >= cap)
        return fail(c, KZ_ERANGE, "string of %zu characters, at most %zu allowed", n, cap - 1);
    memcpy(dst, json_string_value(s), n);
    dst[n] = '\0';
    return 0;
}

static int get_str(ccc_ctx *c, json_t *obj, const char *const *keys, bool required, char *dst,
                   size_t cap, bool *present)
{
    json_t *v;
    int rc = member_a(c, obj, keys, JSON_STRING, required, &v);
    if (present)
        *present = v != NULL;
    if (rc || !v)
        return rc;
    size_t p = at(c, obj, keys);
    rc = str_copy(c, v, dst, cap);
    path_pop(c, p);
    return rc;
}

static int get_int(ccc_ctx *c, json_t *obj, const char *key, bool required, long long lo,
                   long long hi, long long *val, bool *present)
{
    json_t *v;
    int rc = member(c, obj, key, JSON_INTEGER, required, &v);
    if (present)
        *present = v != NULL;
    if (rc || !v)
        return rc;
    long long x = json_integer_value(v);
    if (x < lo || x > hi) {
        size_t p = path_key(c, key);
        rc = fail(c, KZ_ERANGE, "%lld outside %lld..%lld", x, lo, hi);
        path_pop(c, p);
        return rc;
    }
    *val = x;
    return 0;
}

/* An enum given as one of names[1..n-1] (names[0] unused); 0 if absent. */
static int get_enum(ccc_ctx *c, json_t *obj, const char *key, const char *const *names, int n,
                    int *val)
{
    json_t *v;
    int rc = member(c, obj, key, JSON_STRING, false, &v);
    *val = 0;
    if (rc || !v)
        return rc;
    const char *s = json_string_value(v);
    for (int i = 1; i < n; i++)
        if (strcmp(s, names[i]) == 0) {
            *val = i;
            return 0;
        }
    char expect[160] = "";
    for (int i = 1; i < n; i++) {
        strncat(expect, names[i], sizeof expect - strlen(expect) - 1);
        if (i + 1 < n)
            strncat(expect, i + 2 < n ? ", " : " or ", sizeof expect - strlen(expect) - 1);
    }
    size_t p = path_key(c, key);
    rc = fail(c, KZ_ERANGE, "expected %s, got \"%.40s\"", expect, s);
    path_pop(c, p);
    return rc;
}

/* Copy `obj` (if it has members) as compact JSON text into the arena. */
static int keep_json(ccc_ctx *c, json_t *obj, const char **text, size_t *len, bool *dropped)
{
    *text = NULL;
    *len = 0;
    if (json_is_object(obj) && json_object_size(obj) == 0)
        return 0;
    size_t n = json_dumpb(obj, NULL, 0, JSON_COMPACT | JSON_ENCODE_ANY);
    if (n == 0)
        return fail(c, KZ_ENOMEM, "cannot serialise pass-through JSON");
    if (!c->arena) {
        if (dropped)
            *dropped = true;
        return 0;
    }
    char *dst = kz_arena_alloc(c->arena, n + 1);
    if (!dst)
        return fail(c, KZ_ENOMEM, "arena full: no room for %zu bytes of pass-through JSON", n);
    if (json_dumpb(obj, dst, n, JSON_COMPACT | JSON_ENCODE_ANY) != n)
        return fail(c, KZ_ENOMEM, "cannot serialise pass-through JSON");
    dst[n] = '\0';
    *text = dst;
    *len = n;
    return 0;
}

static bool all_digits(const char *s, size_t lo, size_t hi)
{
    size_t n = strlen(s);
    if (n < lo || n > hi)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

/* PLMN: {"mcc":"001","mnc":"01"}; also a "00101" / "001001" digit string. */
static int read_plmn(ccc_ctx *c, json_t *v, kz_ccc_plmn *p)
{
    memset(p, 0, sizeof *p);
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (!all_digits(s, 5, 6))
            return fail(c, KZ_ERANGE, "expected 5 or 6 digits (MCC+MNC), got \"%.20s\"", s);
        memcpy(p->mcc, s, 3);
        memcpy(p->mnc, s + 3, strlen(s) - 3);
        return 0;
    }
    if (!json_is_object(v))
        return fail(c, KZ_EJSON, "expected an object {mcc, mnc}, got %s", type_name(v));
    static const char *const k_mcc[] = { "mcc", NULL }, *const k_mnc[] = { "mnc", NULL };
    int rc = get_str(c, v, k_mcc, true, p->mcc, sizeof p->mcc, NULL);
    if (!rc && !all_digits(p->mcc, 3, 3)) {
        size_t o = path_key(c, "mcc");
        rc = fail(c, KZ_ERANGE, "expected 3 digits, got \"%s\"", p->mcc);
        path_pop(c, o);
    }
    if (!rc)
        rc = get_str(c, v, k_mnc, true, p->mnc, sizeof p->mnc, NULL);
    if (!rc && !all_digits(p->mnc, 2, 3)) {
        size_t o = path_key(c, "mnc");
        rc = fail(c, KZ_ERANGE, "expected 2 or 3 digits, got \"%s\"", p->mnc);
        path_pop(c, o);
    }
    return rc;
}

static int hexval(int ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

static bool parse_hex(const char *s, size_t digits, uint64_t *out)
{
    if (strlen(s) != digits)
        return false;
    uint64_t x = 0;
    for (size_t i = 0; i < digits; i++) {
        int h = hexval((unsigned char)s[i]);
        if (h < 0)
            return false;
        x = x << 4 | (uint64_t)h;
    }
    *out = x;
    return true;
}

/* Cell global ID: {"plmnIdentity":..., "nRCellIdentity":"9 hex"}, possibly wrapped in
 * {"nRCGI": ...} / {"nrCgi": ...}; the NCI may also be a JSON integer. */
static int read_cgi(ccc_ctx *c, json_t *v, kz_ccc_nr_cgi *cgi)
{
    static const char *const k_wrap[] = { "nRCGI", "nrCgi", "nR-CGI", NULL };
    static const char *const k_plmn[] = { "plmnIdentity", "plmnId", NULL };
    static const char *const k_nci[] = { "nRCellIdentity", "nrCellIdentity", NULL };
    memset(cgi, 0, sizeof *cgi);
    if (!json_is_object(v))
        return fail(c, KZ_EJSON, "expected an object, got %s", type_name(v));
    const char *which = NULL;
    json_t *inner = get_alias(v, k_wrap, &which);
    size_t p0 = c->plen;
    if (inner) {
        path_key(c, which);
        if (!json_is_object(inner)) {
            int rc = fail(c, KZ_EJSON, "expected an object, got %s", type_name(inner));
            path_pop(c, p0);
            return rc;
        }
        v = inner;
    }
    json_t *nci, *pl = get_alias(v, k_plmn, &which);
    int rc = 0;
    {   /* an object {mcc, mnc} or a digit string: read_plmn checks which */
        size_t p = path_key(c, pl ? which : k_plmn[0]);
        rc = pl ? read_plmn(c, pl, &cgi->plmn) : fail(c, KZ_EMISSING, "missing");
        path_pop(c, p);
    }
    if (!rc) {
        nci = get_alias(v, k_nci, &which);
        size_t p = path_key(c, nci ? which : k_nci[0]);
        if (!nci) {
            rc = fail(c, KZ_EMISSING, "missing");
        } else if (json_is_integer(nci)) {
            json_int_t x = json_integer_value(nci);
            if (x < 0 || (uint64_t)x > NCI_MAX)
                rc = fail(c, KZ_ERANGE, "%lld does not fit 36 bits", (long long)x);
            else
                cgi->nci = (uint64_t)x;
        } else if (!json_is_string(nci)) {
            rc = fail(c, KZ_EJSON, "expected 9 hex digits, got %s", type_name(nci));
        } else if (!parse_hex(json_string_value(nci), 9, &cgi->nci)) {
            rc = fail(c, KZ_ERANGE, "expected 9 hex digits, got \"%.20s\"",
                      json_string_value(nci));
        }
        path_pop(c, p);
    }
    path_pop(c, p0);
    return rc;
}

static int read_cgi_member(ccc_ctx *c, json_t *obj, kz_ccc_nr_cgi *cgi)
{
    static const char *const k_cgi[] = { "cellGlobalId", "cellGlobalID", NULL };
    json_t *v;
    int rc = member_a(c, obj, k_cgi, JSON_OBJECT, true, &v);
    if (rc)
        return rc;
    size_t p = at(c, obj, k_cgi);
    rc = read_cgi(c, v, cgi);
    path_pop(c, p);
    return rc;
}

/* A list member with 0..max entries (the spec says 1..64; we are liberal about empty). */
static int get_list(ccc_ctx *c, json_t *obj, const char *const *keys, bool required,
                    size_t max, const char *bound, json_t **arr)
{
    int rc = member_a(c, obj, keys, JSON_ARRAY, required, arr);
    if (rc || !*arr)
        return rc;
    size_t n = json_array_size(*arr);
    if (n > max) {
        size_t p = at(c, obj, keys);
        rc = fail(c, KZ_ENOMEM, "%zu entries, at most %zu supported (%s)", n, max, bound);
        path_pop(c, p);
    }
    return rc;
}

/* ---- structures ---------------------------------------------------------------------- */

static const char *const ES_CONTROL[] = { "", "toBeEnergySaving", "toBeNotEnergySaving" };
static const char *const ES_STATE[] = { "", "isNotEnergySaving", "isEnergySaving" };
static const char *const ADMIN[] = { "", "LOCKED", "SHUTTINGDOWN", "UNLOCKED" };
static const char *const OPER[] = { "", "ENABLED", "DISABLED" };
static const char *const CELLST[] = { "", "IDLE", "INACTIVE", "ACTIVE" };
static const char *const RESTYPE[] = { "", "PRB", "PRB_UL", "PRB_DL", "RRC", "DRB" };
static const char *const CAUSES[] = { "Accepted", "NotSupported", "NotAvailable",
                                      "IncompatibleState", "JsonError", "SemanticError",
                                      "Unspecified" };
#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const char *const STRUCT_NAMES[] = { "", "O-CESManagementFunction", "O-NRCellDU",
                                            "O-RRMPolicyRatio" };

static kz_ccc_struct_kind kind_of_name(const char *name)
{
    for (int k = 1; k < NELEM(STRUCT_NAMES); k++)
        if (strcasecmp(name, STRUCT_NAMES[k]) == 0)
            return (kz_ccc_struct_kind)k;
    return KZ_CCC_STRUCT_OTHER;
}

/* srsRAN-style: no name, so guess from the attributes present. */
static kz_ccc_struct_kind kind_of_keys(json_t *rcs)
{
    if (!json_is_object(rcs))
        return KZ_CCC_STRUCT_OTHER;
    if (json_object_get(rcs, "energySavingState") || json_object_get(rcs, "energySavingControl") ||
        json_object_get(rcs, "cesSwitch"))
        return KZ_CCC_STRUCT_CES;
    if (json_object_get(rcs, "administrativeState") || json_object_get(rcs, "cellState") ||
        json_object_get(rcs, "operationalState"))
        return KZ_CCC_STRUCT_NRCELLDU;
    if (json_object_get(rcs, "rRMPolicyMemberList") || json_object_get(rcs, "rRMPolicyMaxRatio") ||
        json_object_get(rcs, "resourceType"))
        return KZ_CCC_STRUCT_RRM_POLICY_RATIO;
    return KZ_CCC_STRUCT_OTHER;
}

static int read_ces(ccc_ctx *c, json_t *o, kz_ccc_ces *v)
{
    int e, rc = get_enum(c, o, "energySavingControl", ES_CONTROL, NELEM(ES_CONTROL), &e);
    v->es_control = (kz_ccc_es_control)e;
    if (!rc)
        rc = get_enum(c, o, "energySavingState", ES_STATE, NELEM(ES_STATE), &e);
    v->es_state = (kz_ccc_es_state)e;
    json_t *b;
    if (!rc)
        rc = member(c, o, "cesSwitch", JSON_TRUE, false, &b);
    if (!rc && b) {
        v->has_ces_switch = true;
        v->ces_switch = json_is_true(b);
    }
    json_object_del(o, "energySavingControl");
    json_object_del(o, "energySavingState");
    json_object_del(o, "cesSwitch");
    return rc;
}

static int read_du(ccc_ctx *c, json_t *o, kz_ccc_nrcelldu *v)
{
    int e, rc = get_enum(c, o, "administrativeState", ADMIN, NELEM(ADMIN), &e);
    v->admin_state = (kz_ccc_admin_state)e;
    if (!rc)
        rc = get_enum(c, o, "operationalState", OPER, NELEM(OPER), &e);
    v->oper_state = (kz_ccc_oper_state)e;
    if (!rc)
        rc = get_enum(c, o, "cellState", CELLST, NELEM(CELLST), &e);
    v->cell_state = (kz_ccc_cell_state)e;
    json_object_del(o, "administrativeState");
    json_object_del(o, "operationalState");
    json_object_del(o, "cellState");
    return rc;
}

static int read_member(ccc_ctx *c, json_t *m, kz_ccc_rrm_member *r)
{
    if (!json_is_object(m))
        return fail(c, KZ_EJSON, "expected an object, got %s", type_name(m));
    json_t *pl, *sn;
    int rc = member(c, m, "plmnId", JSON_OBJECT, false, &pl);
    if (!rc && pl) {
        size_t p = path_key(c, "plmnId");
        rc = read_plmn(c, pl, &r->plmn);
        path_pop(c, p);
        r->has_plmn = true;
    }
    if (!rc)
        rc = member(c, m, "snssai", JSON_OBJECT, false, &sn);
    if (rc || !sn)
        return rc;
    size_t p = path_key(c, "snssai");
    long long sst;
    rc = get_int(c, sn, "sst", false, 0, 255, &sst, &r->has_sst);
    r->sst = (uint8_t)(r->has_sst ? sst : 0);
    json_t *sd = json_object_get(sn, "sd");
    if (!rc && sd) {
        size_t q = path_key(c, "sd");
        uint64_t x = 0;
        if (json_is_integer(sd) && json_integer_value(sd) >= 0 &&
            json_integer_value(sd) <= 0xFFFFFF)
            x = (uint64_t)json_integer_value(sd);
        else if (!json_is_string(sd) || !parse_hex(json_string_value(sd), 6, &x))
            rc = fail(c, KZ_ERANGE, "expected 6 hex digits (24-bit SD)");
        r->has_sd = true;
        r->sd = (uint32_t)x;
        path_pop(c, q);
    }
    path_pop(c, p);
    return rc;
}

static int read_rrm(ccc_ctx *c, json_t *o, kz_ccc_rrm_policy_ratio *v)
{
    int e, rc = 0;
    json_t *rt = json_object_get(o, "resourceType");
    if (rt && json_is_string(rt)) {
        /* srsRAN logs PRB-UL/PRB-DL; accept the dash spelling, write the 28.541 one. */
        char s[16];
        snprintf(s, sizeof s, "%s", json_string_value(rt));
        for (char *q = s; *q; q++)
            if (*q == '-')
                *q = '_';
        for (e = 1; e < NELEM(RESTYPE); e++)
            if (strcmp(s, RESTYPE[e]) == 0)
                break;
        if (e == NELEM(RESTYPE) || json_string_length(rt) >= sizeof s) {
            size_t p = path_key(c, "resourceType");
            rc = fail(c, KZ_ERANGE, "expected PRB, PRB_UL, PRB_DL, RRC or DRB, got \"%.20s\"",
                      json_string_value(rt));
            path_pop(c, p);
        } else {
            v->resource_type = (kz_ccc_resource_type)e;
        }
    } else if (rt) {
        rc = member(c, o, "resourceType", JSON_STRING, false, &rt);
    }
    long long x;
    if (!rc)
        rc = get_int(c, o, "rRMPolicyMaxRatio", false, 0, 100, &x, &v->has_max);
    if (!rc && v->has_max)
        v->max_ratio = (uint8_t)x;
    if (!rc)
        rc = get_int(c, o, "rRMPolicyMinRatio", false, 0, 100, &x, &v->has_min);
    if (!rc && v->has_min)
        v->min_ratio = (uint8_t)x;
    if (!rc)
        rc = get_int(c, o, "rRMPolicyDedicatedRatio", false, 0, 100, &x, &v->has_dedicated);
    if (!rc && v->has_dedicated)
        v->dedicated_ratio = (uint8_t)x;
    static const char *const k_members[] = { "rRMPolicyMemberList", NULL };
    json_t *arr = NULL;
    if (!rc)
        rc = get_list(c, o, k_members, false, KZ_CCC_MAX_RRM_MEMBERS,
                      "KZ_CCC_MAX_RRM_MEMBERS", &arr);
    if (!rc && arr) {
        v->has_members = true;
        size_t p = path_key(c, "rRMPolicyMemberList");
        for (size_t i = 0; !rc && i < json_array_size(arr); i++) {
            size_t q = path_idx(c, i);
            rc = read_member(c, json_array_get(arr, i), &v->members[i]);
            path_pop(c, q);
            v->n_members = (uint8_t)(i + 1);
        }
        path_pop(c, p);
    }
    json_object_del(o, "resourceType");
    json_object_del(o, "rRMPolicyMaxRatio");
    json_object_del(o, "rRMPolicyMinRatio");
    json_object_del(o, "rRMPolicyDedicatedRatio");
    json_object_del(o, "rRMPolicyMemberList");
    return rc;
}

/* A values object {"ranConfigurationStructure": {...}} of structure kind `kind`. */
static int read_values(ccc_ctx *c, json_t *vals, kz_ccc_struct_kind kind, kz_ccc_values *out)
{
    memset(out, 0, sizeof *out);
    if (!json_is_object(vals))
        return fail(c, KZ_EJSON, "expected an object, got %s", type_name(vals));
    json_t *rcs;
    int rc = member(c, vals, "ranConfigurationStructure", JSON_OBJECT, true, &rcs);
    if (rc)
        return rc;
    size_t p = path_key(c, "ranConfigurationStructure");
    json_t *rest = json_copy(rcs);            /* shallow: typed keys are deleted from it */
    if (!rest) {
        path_pop(c, p);
        return fail(c, KZ_ENOMEM, "out of memory");
    }
    switch (kind) {
    case KZ_CCC_STRUCT_CES: rc = read_ces(c, rest, &out->ces); break;
    case KZ_CCC_STRUCT_NRCELLDU: rc = read_du(c, rest, &out->du); break;
    case KZ_CCC_STRUCT_RRM_POLICY_RATIO: rc = read_rrm(c, rest, &out->rrm); break;
    case KZ_CCC_STRUCT_OTHER: break;
    }
    if (!rc)
        rc = keep_json(c, rest, &out->json, &out->json_len, &out->json_dropped);
    /* Other members of the values object itself (beside ranConfigurationStructure) are
     * not in the spec; they are ignored. */
    json_decref(rest);
    path_pop(c, p);
    return rc;
}

static int read_values_member(ccc_ctx *c, json_t *obj, const char *key, kz_ccc_struct_kind kind,
                              bool required, kz_ccc_values *out, bool *present)
{
    json_t *v;
    int rc = member(c, obj, key, JSON_OBJECT, required, &v);
    if (present)
        *present = v != NULL;
    if (rc || !v)
        return rc;
    size_t p = path_key(c, key);
    rc = read_values(c, v, kind, out);
    path_pop(c, p);
    return rc;
}

/* Name and kind of an item; without a name, the kind comes from the keys of `values_key`. */
static int read_item_name(ccc_ctx *c, json_t *it, const char *values_key, char *name,
                          kz_ccc_struct_kind *kind)
{
    static const char *const k_name[] = { "ranConfigurationStructureName", NULL };
    bool present;
    int rc = get_str(c, it, k_name, false, name, KZ_CCC_NAME_MAX, &present);
    if (rc)
        return rc;
    if (present) {
        *kind = kind_of_name(name);
        return 0;
    }
    json_t *vals = json_object_get(it, values_key);
    *kind = kind_of_keys(vals ? json_object_get(vals, "ranConfigurationStructure") : NULL);
    if (*kind == KZ_CCC_STRUCT_OTHER) {
        size_t p = path_key(c, k_name[0]);
        rc = fail(c, KZ_EMISSING, "missing (and the attributes do not identify a structure)");
        path_pop(c, p);
        return rc;
    }
    snprintf(name, KZ_CCC_NAME_MAX, "%s", STRUCT_NAMES[*kind]);
    return 0;
}

static int read_config_item(ccc_ctx *c, json_t *it, kz_ccc_config_item *out)
{
    if (!json_is_object(it))
        return fail(c, KZ_EJSON, "expected an object, got %s", type_name(it));
    int rc = read_item_name(c, it, "newValuesOfAttributes", out->name, &out->kind);
    if (!rc)
        rc = read_values_member(c, it, "oldValuesOfAttributes", out->kind, false,
                                &out->old_values, &out->has_old);
    if (!rc)
        rc = read_values_member(c, it, "newValuesOfAttributes", out->kind, true,
                                &out->new_values, NULL);
    return rc;
}

static int read_config_list(ccc_ctx *c, json_t *obj, kz_ccc_config_item *items, uint8_t *n)
{
    static const char *const k[] = { "listOfConfigurationStructures", NULL };
    json_t *arr;
    int rc = get_list(c, obj, k, true, KZ_CCC_MAX_STRUCTS, "KZ_CCC_MAX_STRUCTS", &arr);
    if (rc)
        return rc;
    size_t p = path_key(c, k[0]);
    for (size_t i = 0; !rc && i < json_array_size(arr); i++) {
        size_t q = path_idx(c, i);
        rc = read_config_item(c, json_array_get(arr, i), &items[i]);
        path_pop(c, q);
        *n = (uint8_t)(i + 1);
    }
    path_pop(c, p);
    return rc;
}

static int read_ts(ccc_ctx *c, json_t *obj, const char *key, kz_ccc_ts *ts)
{
    json_t *v = json_object_get(obj, key);
    memset(ts, 0, sizeof *ts);
    if (!v)
        return 0;
    size_t p = path_key(c, key);
    int rc = 0;
    if (json_is_string(v)) {
        rc = str_copy(c, v, ts->text, sizeof ts->text);
    } else if (json_is_integer(v)) {
        snprintf(ts->text, sizeof ts->text, "%lld", (long long)json_integer_value(v));
        ts->numeric = true;
    } else {
        rc = fail(c, KZ_EJSON, "expected a string or an integer, got %s", type_name(v));
    }
    ts->present = !rc;
    path_pop(c, p);
    return rc;
}

static int read_cause(ccc_ctx *c, json_t *it, kz_ccc_cause *cause)
{
    json_t *v;
    int rc = member(c, it, "cause", JSON_STRING, true, &v);
    if (rc)
        return rc;
    /* Liberal: any case, with or without '-' / '_' / ' ' ("not-supported", "NOT_SUPPORTED"). */
    char norm[32];
    size_t n = 0;
    for (const char *s = json_string_value(v); *s && n + 1 < sizeof norm; s++)
        if (*s != '-' && *s != '_' && *s != ' ')
            norm[n++] = *s;
    norm[n] = '\0';
    for (int i = 1; i < NELEM(CAUSES); i++)
        if (strcasecmp(norm, CAUSES[i]) == 0) {
            *cause = (kz_ccc_cause)i;
            return 0;
        }
    size_t p = path_key(c, "cause");
    rc = fail(c, KZ_ERANGE,
              "expected NotSupported, NotAvailable, IncompatibleState, JsonError, "
              "SemanticError or Unspecified, got \"%.32s\"", json_string_value(v));
    path_pop(c, p);
    return rc;
}

static int read_outcome_item(ccc_ctx *c, json_t *it, bool accepted, kz_ccc_outcome_item *out)
{
    if (!json_is_object(it))
        return fail(c, KZ_EJSON, "expected an object, got %s", type_name(it));
    const char *vkey = accepted ? "currentValuesOfAttributes" : "requestedValuesOfAttributes";
    int rc = read_item_name(c, it, vkey, out->name, &out->kind);
    if (!rc)
        rc = read_values_member(c, it, "oldValuesOfAttributes", out->kind, false,
                                &out->old_values, &out->has_old);
    if (!rc)
        rc = read_values_member(c, it, vkey, out->kind, false, &out->values, &out->has_values);
    if (!rc && accepted)
        rc = read_ts(c, it, "appliedTimestamp", &out->applied);
    if (!rc && !accepted)
        rc = read_cause(c, it, &out->cause);
    return rc;
}

/* Accepted then failed list of obj into items[0..KZ_CCC_MAX_STRUCTS). */
static int read_outcome_lists(ccc_ctx *c, json_t *obj, kz_ccc_outcome_item *items, uint8_t *n)
{
    static const char *const k_acc[] = { "ranConfigurationStructuresAcceptedList", NULL };
    static const char *const k_fail[] = { "ranConfigurationStructuresFailedList", NULL };
    json_t *acc, *fl;
    int rc = get_list(c, obj, k_acc, false, KZ_CCC_MAX_STRUCTS, "KZ_CCC_MAX_STRUCTS", &acc);
    if (!rc)
        rc = get_list(c, obj, k_fail, false, KZ_CCC_MAX_STRUCTS, "KZ_CCC_MAX_STRUCTS", &fl);
    if (rc)
        return rc;
    size_t na = acc ? json_array_size(acc) : 0, nf = fl ? json_array_size(fl) : 0;
    if (na + nf > KZ_CCC_MAX_STRUCTS)
        return fail(c, KZ_ENOMEM, "%zu accepted + %zu failed structures, at most %d supported "
                    "(KZ_CCC_MAX_STRUCTS)", na, nf, KZ_CCC_MAX_STRUCTS);
    for (int pass = 0; pass < 2 && !rc; pass++) {
        json_t *arr = pass == 0 ? acc : fl;
        if (!arr)
            continue;
        size_t p = path_key(c, pass == 0 ? k_acc[0] : k_fail[0]);
        for (size_t i = 0; !rc && i < json_array_size(arr); i++) {
            size_t q = path_idx(c, i);
            rc = read_outcome_item(c, json_array_get(arr, i), pass == 0, &items[*n]);
            path_pop(c, q);
            (*n)++;
        }
        path_pop(c, p);
    }
    return rc;
}

/* ---- writers ------------------------------------------------------------------------- */

static int oom(ccc_ctx *c)
{
    return fail(c, KZ_ENOMEM, "cannot build JSON value (out of memory, or a string that is not "
                "UTF-8)");
}

/* Steals v; fails on NULL v (allocation failure). */
static int put(ccc_ctx *c, json_t *obj, const char *key, json_t *v)
{
    if (!v || json_object_set_new(obj, key, v) != 0)
        return oom(c);
    return 0;
}

static int append(ccc_ctx *c, json_t *arr, json_t *v)
{
    if (!v || json_array_append_new(arr, v) != 0)
        return oom(c);
    return 0;
}

static int put_enum(ccc_ctx *c, json_t *o, const char *key, int v, const char *const *names,
                    int n)
{
    if (v == 0)
        return 0;
    if (v < 0 || v >= n) {
        size_t p = path_key(c, key);
        int rc = fail(c, KZ_EINVAL, "enum value %d out of range", v);
        path_pop(c, p);
        return rc;
    }
    return put(c, o, key, json_string(names[v]));
}

static json_t *write_plmn(ccc_ctx *c, const kz_ccc_plmn *p)
{
    if (!all_digits(p->mcc, 3, 3) || !all_digits(p->mnc, 2, 3)) {
        fail(c, KZ_EINVAL, "PLMN needs a 3-digit MCC and a 2- or 3-digit MNC, got "
             "\"%.4s\"/\"%.4s\"", p->mcc, p->mnc);
        return NULL;
    }
    json_t *o = json_pack("{s:s, s:s}", "mcc", p->mcc, "mnc", p->mnc);
    if (!o)
        oom(c);
    return o;
}

static json_t *write_cgi(ccc_ctx *c, const kz_ccc_nr_cgi *g)
{
    if (g->nci > NCI_MAX) {
        size_t p = path_key(c, "nRCellIdentity");
        fail(c, KZ_EINVAL, "NR cell identity 0x%" PRIx64 " does not fit 36 bits", g->nci);
        path_pop(c, p);
        return NULL;
    }
    size_t p = path_key(c, "plmnIdentity");
    json_t *pl = write_plmn(c, &g->plmn);
    path_pop(c, p);
    if (!pl)
        return NULL;
    char hex[16];
    snprintf(hex, sizeof hex, "%09" PRIX64, g->nci);
    json_t *o = json_pack("{s:o, s:s}", "plmnIdentity", pl, "nRCellIdentity", hex);
    if (!o)
        oom(c);
    return o;
}

static int put_cgi(ccc_ctx *c, json_t *o, const char *key, const kz_ccc_nr_cgi *g)
{
    size_t p = path_key(c, key);
    json_t *v = write_cgi(c, g);
    path_pop(c, p);
    return v ? put(c, o, key, v) : c->code;
}

/* Merge a pass-through JSON object text into o (typed keys win nothing: a clash is an error). */
static int merge_json(ccc_ctx *c, json_t *o, const char *text, size_t len)
{
    if (!text || !len)
        return 0;
    json_error_t je;
    json_t *x = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!x)
        return fail(c, KZ_EINVAL, "pass-through JSON is not valid: %s", je.text);
    int rc = 0;
    if (!json_is_object(x)) {
        rc = fail(c, KZ_EINVAL, "pass-through JSON must be an object, got %s", type_name(x));
    } else {
        const char *k;
        json_t *v;
        json_object_foreach(x, k, v) {
            if (json_object_get(o, k)) {
                rc = fail(c, KZ_EINVAL, "pass-through JSON repeats the typed attribute \"%s\"", k);
                break;
            }
            if ((rc = put(c, o, k, json_incref(v))) != 0)
                break;
        }
    }
    json_decref(x);
    return rc;
}

static int write_ces(ccc_ctx *c, json_t *o, const kz_ccc_ces *v)
{
    int rc = put_enum(c, o, "energySavingControl", (int)v->es_control, ES_CONTROL,
                      NELEM(ES_CONTROL));
    if (!rc)
        rc = put_enum(c, o, "energySavingState", (int)v->es_state, ES_STATE, NELEM(ES_STATE));
    if (!rc && v->has_ces_switch)
        rc = put(c, o, "cesSwitch", json_boolean(v->ces_switch));
    return rc;
}

static int write_du(ccc_ctx *c, json_t *o, const kz_ccc_nrcelldu *v)
{
    int rc = put_enum(c, o, "administrativeState", (int)v->admin_state, ADMIN, NELEM(ADMIN));
    if (!rc)
        rc = put_enum(c, o, "operationalState", (int)v->oper_state, OPER, NELEM(OPER));
    if (!rc)
        rc = put_enum(c, o, "cellState", (int)v->cell_state, CELLST, NELEM(CELLST));
    return rc;
}

static int put_ratio(ccc_ctx *c, json_t *o, const char *key, bool has, uint8_t v)
{
    if (!has)
        return 0;
    if (v > 100) {
        size_t p = path_key(c, key);
        int rc = fail(c, KZ_EINVAL, "%u is not a percentage (0..100)", v);
        path_pop(c, p);
        return rc;
    }
    return put(c, o, key, json_integer(v));
}

static int write_rrm(ccc_ctx *c, json_t *o, const kz_ccc_rrm_policy_ratio *v)
{
    int rc = put_enum(c, o, "resourceType", (int)v->resource_type, RESTYPE, NELEM(RESTYPE));
    if (!rc && v->has_members) {
        if (v->n_members > KZ_CCC_MAX_RRM_MEMBERS) {
            size_t p = path_key(c, "rRMPolicyMemberList");
            rc = fail(c, KZ_EINVAL, "%u members, at most %d", v->n_members,
                      KZ_CCC_MAX_RRM_MEMBERS);
            path_pop(c, p);
            return rc;
        }
        json_t *arr = json_array();
        if ((rc = put(c, o, "rRMPolicyMemberList", arr)) != 0)
            return rc;
        size_t p = path_key(c, "rRMPolicyMemberList");
        for (unsigned i = 0; !rc && i < v->n_members; i++) {
            const kz_ccc_rrm_member *m = &v->members[i];
            size_t q = path_idx(c, i);
            json_t *mo = json_object();
            rc = append(c, arr, mo);
            if (!rc && m->has_plmn) {
                size_t r = path_key(c, "plmnId");
                json_t *pl = write_plmn(c, &m->plmn);
                path_pop(c, r);
                rc = pl ? put(c, mo, "plmnId", pl) : c->code;
            }
            if (!rc && (m->has_sst || m->has_sd)) {
                json_t *sn = json_object();
                rc = put(c, mo, "snssai", sn);
                if (!rc && m->has_sst)
                    rc = put(c, sn, "sst", json_integer(m->sst));
                if (!rc && m->has_sd) {
                    char hex[8];
                    if (m->sd > 0xFFFFFF) {
                        size_t r = path_key(c, "snssai.sd");
                        rc = fail(c, KZ_EINVAL, "SD 0x%" PRIx32 " does not fit 24 bits", m->sd);
                        path_pop(c, r);
                    } else {
                        snprintf(hex, sizeof hex, "%06" PRIX32, m->sd);
                        rc = put(c, sn, "sd", json_string(hex));
                    }
                }
            }
            path_pop(c, q);
        }
        path_pop(c, p);
    }
    if (!rc)
        rc = put_ratio(c, o, "rRMPolicyMaxRatio", v->has_max, v->max_ratio);
    if (!rc)
        rc = put_ratio(c, o, "rRMPolicyMinRatio", v->has_min, v->min_ratio);
    if (!rc)
        rc = put_ratio(c, o, "rRMPolicyDedicatedRatio", v->has_dedicated, v->dedicated_ratio);
    return rc;
}

static int put_values(ccc_ctx *c, json_t *o, const char *key, kz_ccc_struct_kind kind,
                      const kz_ccc_values *v)
{
    size_t p = path_key(c, key);
    int rc = 0;
    if (v->json_dropped)
        rc = fail(c, KZ_EINVAL, "pass-through JSON was dropped when parsed without an arena");
    json_t *rcs = json_object();
    json_t *vals = rcs ? json_pack("{s:o}", "ranConfigurationStructure", rcs) : NULL;
    if (!rc && !vals)
        rc = oom(c);
    if (!rc) {
        path_key(c, "ranConfigurationStructure");
        switch (kind) {
        case KZ_CCC_STRUCT_CES: rc = write_ces(c, rcs, &v->ces); break;
        case KZ_CCC_STRUCT_NRCELLDU: rc = write_du(c, rcs, &v->du); break;
        case KZ_CCC_STRUCT_RRM_POLICY_RATIO: rc = write_rrm(c, rcs, &v->rrm); break;
        case KZ_CCC_STRUCT_OTHER: break;
        }
        if (!rc)
            rc = merge_json(c, rcs, v->json, v->json_len);
    }
    path_pop(c, p);
    if (rc) {
        json_decref(vals);
        return rc;
    }
    return put(c, o, key, vals);
}

static int put_name(ccc_ctx *c, json_t *o, const char *name)
{
    if (!memchr(name, '\0', KZ_CCC_NAME_MAX) || !name[0]) {
        size_t p = path_key(c, "ranConfigurationStructureName");
        int rc = fail(c, KZ_EINVAL, "empty or unterminated name");
        path_pop(c, p);
        return rc;
    }
    return put(c, o, "ranConfigurationStructureName", json_string(name));
}

static int write_config_list(ccc_ctx *c, json_t *o, const kz_ccc_config_item *items, unsigned n)
{
    if (n == 0 || n > KZ_CCC_MAX_STRUCTS)
        return fail(c, KZ_EINVAL, "%u configuration structures, need 1..%d", n,
                    KZ_CCC_MAX_STRUCTS);
    json_t *arr = json_array();
    int rc = put(c, o, "listOfConfigurationStructures", arr);
    size_t p = path_key(c, "listOfConfigurationStructures");
    for (unsigned i = 0; !rc && i < n; i++) {
        const kz_ccc_config_item *it = &items[i];
        size_t q = path_idx(c, i);
        json_t *io = json_object();
        rc = append(c, arr, io);
        if (!rc)
            rc = put_name(c, io, it->name);
        /* oldValuesOfAttributes is written even when empty: srsRAN reads it unconditionally. */
        if (!rc) {
            static const kz_ccc_values none;
            rc = put_values(c, io, "oldValuesOfAttributes", it->kind,
                            it->has_old ? &it->old_values : &none);
        }
        if (!rc)
            rc = put_values(c, io, "newValuesOfAttributes", it->kind, &it->new_values);
        path_pop(c, q);
    }
    path_pop(c, p);
    return rc;
}

static int put_ts(ccc_ctx *c, json_t *o, const char *key, const kz_ccc_ts *ts)
{
    if (!ts->present)
        return 0;
    if (!memchr(ts->text, '\0', sizeof ts->text)) {
        size_t p = path_key(c, key);
        int rc = fail(c, KZ_EINVAL, "unterminated timestamp text");
        path_pop(c, p);
        return rc;
    }
    if (ts->numeric) {
        char *end;
        long long x = strtoll(ts->text, &end, 10);
        if (*end || end == ts->text) {
            size_t p = path_key(c, key);
            int rc = fail(c, KZ_EINVAL, "numeric timestamp \"%s\" is not an integer", ts->text);
            path_pop(c, p);
            return rc;
        }
        return put(c, o, key, json_integer(x));
    }
    return put(c, o, key, json_string(ts->text));
}

static int write_outcome_lists(ccc_ctx *c, json_t *o, const kz_ccc_outcome_item *items,
                               unsigned n)
{
    if (n > KZ_CCC_MAX_STRUCTS)
        return fail(c, KZ_EINVAL, "%u outcome items, at most %d", n, KZ_CCC_MAX_STRUCTS);
    int rc = 0;
    for (int pass = 0; pass < 2 && !rc; pass++) {
        const char *key = pass == 0 ? "ranConfigurationStructuresAcceptedList"
                                    : "ranConfigurationStructuresFailedList";
        json_t *arr = NULL;
        size_t p = path_key(c, key);
        size_t k = 0;
        for (unsigned i = 0; !rc && i < n; i++) {
            const kz_ccc_outcome_item *it = &items[i];
            bool acc = it->cause == KZ_CCC_ACCEPTED;
            if (acc != (pass == 0))
                continue;
            if (!arr) {
                arr = json_array();
                if ((rc = put(c, o, key, arr)) != 0)
                    break;
            }
            size_t q = path_idx(c, k++);
            json_t *io = json_object();
            rc = append(c, arr, io);
            if (!rc)
                rc = put_name(c, io, it->name);
            if (!rc && it->has_old)
                rc = put_values(c, io, "oldValuesOfAttributes", it->kind, &it->old_values);
            if (!rc && it->has_values)
                rc = put_values(c, io, acc ? "currentValuesOfAttributes"
                                           : "requestedValuesOfAttributes", it->kind, &it->values);
            if (!rc && acc)
                rc = put_ts(c, io, "appliedTimestamp", &it->applied);
            if (!rc && !acc) {
                if ((int)it->cause < 0 || (int)it->cause >= NELEM(CAUSES))
                    rc = fail(c, KZ_EINVAL, "cause %d out of range", (int)it->cause);
                else
                    rc = put(c, io, "cause", json_string(CAUSES[it->cause]));
            }
            path_pop(c, q);
        }
        path_pop(c, p);
    }
    return rc;
}

/* Serialise root into buf (consumes root). */
static long finish(ccc_ctx *c, json_t *root, int rc, uint8_t *buf, size_t cap)
{
    if (rc) {
        json_decref(root);
        return rc;
    }
    size_t n = json_dumpb(root, (char *)buf, buf ? cap : 0, JSON_COMPACT);
    json_decref(root);
    if (n == 0)
        return oom(c);
    if (n > cap)
        return fail(c, KZ_ENOSPC, "needs %zu bytes, buffer has %zu", n, cap);
    return (long)n;
}

/* ---- public: control header ---------------------------------------------------------- */

int kz_ccc_control_header_parse(const uint8_t *bytes, size_t len, kz_ccc_control_header *out,
                                kz_ccc_err *err)
{
    ccc_ctx c;
    ctx_init(&c, err, NULL);
    memset(out, 0, sizeof *out);
    json_t *root;
    int rc = load(&c, bytes, len, &root);
    if (rc)
        return rc;
    long long style = 0;
    json_t *f;
    if (json_object_get(root, "controlHeaderFormat") || !json_object_get(root, "format1")) {
        rc = member(&c, root, "controlHeaderFormat", JSON_OBJECT, true, &f);
        if (!rc) {
            size_t p = path_key(&c, "controlHeaderFormat");
            rc = get_int(&c, f, "ricStyleType", true, 0, INT32_MAX, &style, NULL);
            path_pop(&c, p);
        }
    } else {   /* FlexRIC: {"format":1,"format1":{"ric_style_type":N}} */
        rc = member(&c, root, "format1", JSON_OBJECT, true, &f);
        if (!rc) {
            size_t p = path_key(&c, "format1");
            rc = get_int(&c, f, "ric_style_type", true, 0, INT32_MAX, &style, NULL);
            path_pop(&c, p);
        }
    }
    json_decref(root);
    out->style = (uint32_t)style;
    return rc;
}

long kz_ccc_control_header_encode(const kz_ccc_control_header *in, uint8_t *buf, size_t cap,
                                  kz_ccc_err *err)
{
    ccc_ctx c;
    ctx_init(&c, err, NULL);
    if (in->style > INT32_MAX)
        return fail(&c, KZ_EINVAL, "ricStyleType %" PRIu32 " too large", in->style);
    json_t *root = json_pack("{s:{s:I}}", "controlHeaderFormat", "ricStyleType",
                             (json_int_t)in->style);
    if (!root)
        return oom(&c);
    return finish(&c, root, 0, buf, cap);
}

/* ---- public: control message --------------------------------------------------------- */

int kz_ccc_control_message_parse(const uint8_t *bytes, size_t len, kz_ccc_control_message *out,
                                 kz_arena *text, kz_ccc_err *err)
{
    ccc_ctx c;
    ctx_init(&c, err, text);
    memset(out, 0, sizeof *out);
    json_t *root, *f;
    int rc = load(&c, bytes, len, &root);
    if (rc)
        return rc;
    rc = member(&c, root, "controlMessageFormat", JSON_OBJECT, true, &f);
    if (rc)
        goto out;
    path_key(&c, "controlMessageFormat");
    bool has1 = json_object_get(f, "listOfConfigurationStructures") != NULL;
    bool has2 = json_object_get(f, "listOfCellsControlled") != NULL;
    if (has1 && has2) {
        rc = fail(&c, KZ_EJSON, "both listOfConfigurationStructures (format 1) and "
                  "listOfCellsControlled (format 2)");
    } else if (has1) {
        out->format = 1;
        rc = read_config_list(&c, f, out->items, &out->n_items);
    } else if (has2) {
        static const char *const k[] = { "listOfCellsControlled", NULL };
        json_t *arr;
        out->format = 2;
        rc = get_list(&c, f, k, true, KZ_CCC_MAX_CELLS, "KZ_CCC_MAX_CELLS", &arr);
        if (!rc) {
            path_key(&c, k[0]);
            for (size_t i = 0; !rc && i < json_array_size(arr); i++) {
                json_t *cell = json_array_get(arr, i);
                kz_ccc_cell_control *cc = &out->cells[i];
                size_t q = path_idx(&c, i);
                out->n_cells = (uint8_t)(i + 1);
                if (!json_is_object(cell))
                    rc = fail(&c, KZ_EJSON, "expected an object, got %s", type_name(cell));
                if (!rc)
                    rc = read_cgi_member(&c, cell, &cc->cgi);
                if (!rc)
                    rc = read_config_list(&c, cell, cc->items, &cc->n_items);
                path_pop(&c, q);
            }
        }
    } else {
        rc = fail(&c, KZ_EMISSING, "expected listOfConfigurationStructures (format 1) or "
                  "listOfCellsControlled (format 2)");
    }
out:
    json_decref(root);
    return rc;
}

long kz_ccc_control_message_encode(const kz_ccc_control_message *in, uint8_t *buf, size_t cap,
                                   kz_ccc_err *err)
{
    ccc_ctx c;
    ctx_init(&c, err, NULL);
    json_t *f = json_object();
    json_t *root = f ? json_pack("{s:o}", "controlMessageFormat", f) : NULL;
    if (!root)
        return oom(&c);
    path_key(&c, "controlMessageFormat");
    int rc = 0;
    if (in->format == 1) {
        rc = write_config_list(&c, f, in->items, in->n_items);
    } else if (in->format == 2) {
        if (in->n_cells == 0 || in->n_cells > KZ_CCC_MAX_CELLS) {
            rc = fail(&c, KZ_EINVAL, "%u cells, need 1..%d", in->n_cells, KZ_CCC_MAX_CELLS);
        } else {
            json_t *arr = json_array();
            rc = put(&c, f, "listOfCellsControlled", arr);
            path_key(&c, "listOfCellsControlled");
            for (unsigned i = 0; !rc && i < in->n_cells; i++) {
                size_t q = path_idx(&c, i);
                json_t *co = json_object();
                rc = append(&c, arr, co);
                if (!rc)
                    rc = put_cgi(&c, co, "cellGlobalId", &in->cells[i].cgi);
                if (!rc)
                    rc = write_config_list(&c, co, in->cells[i].items, in->cells[i].n_items);
                path_pop(&c, q);
            }
        }
    } else {
        rc = fail(&c, KZ_EINVAL, "format %d, expected 1 or 2", in->format);
    }
    return finish(&c, root, rc, buf, cap);
}

/* ---- public: control outcome --------------------------------------------------------- */

int kz_ccc_control_outcome_parse(const uint8_t *bytes, size_t len, kz_ccc_control_outcome *out,
                                 kz_arena *text, kz_ccc_err *err)
{
    ccc_ctx c;
    ctx_init(&c, err, text);
    memset(out, 0, sizeof *out);
    json_t *root, *f;
    int rc = load(&c, bytes, len, &root);
    if (rc)
        return rc;
    /* Spec and srsRAN: {"controlOutcomeFormat":{...}}; FlexRIC and others: the format
     * object itself at top level. */
    f = json_object_get(root, "controlOutcomeFormat");
    if (f) {
        rc = member(&c, root, "controlOutcomeFormat", JSON_OBJECT, true, &f);
        if (rc)
            goto out;
        path_key(&c, "controlOutcomeFormat");
    } else {
        f = root;
    }
    rc = read_ts(&c, f, "receivedTimestamp", &out->received);
    if (rc)
        goto out;
    if (json_object_get(f, "listOfCellsForControlOutcome")) {
        static const char *const k[] = { "listOfCellsForControlOutcome", NULL };
        json_t *arr;
        out->format = 2;
        rc = get_list(&c, f, k, true, KZ_CCC_MAX_CELLS, "KZ_CCC_MAX_CELLS", &arr);
        if (rc)
            goto out;
        path_key(&c, k[0]);
        for (size_t i = 0; !rc && i < json_array_size(arr); i++) {
            json_t *cell = json_array_get(arr, i);
            kz_ccc_cell_outcome *co = &out->cells[i];
            size_t q = path_idx(&c, i);
            out->n_cells = (uint8_t)(i + 1);
            if (!json_is_object(cell))
                rc = fail(&c, KZ_EJSON, "expected an object, got %s", type_name(cell));
            if (!rc)
                rc = read_cgi_member(&c, cell, &co->cgi);
            if (!rc)
                rc = read_outcome_lists(&c, cell, co->items, &co->n_items);
            path_pop(&c, q);
        }
    } else if (f == root && !json_object_get(f, "ranConfigurationStructuresAcceptedList") &&
               !json_object_get(f, "ranConfigurationStructuresFailedList") &&
               !json_object_get(f, "receivedTimestamp")) {
        rc = fail(&c, KZ_EMISSING, "expected controlOutcomeFormat");
    } else {
        out->format = 1;
        rc = read_outcome_lists(&c, f, out->items, &out->n_items);
    }
out:
    json_decref(root);
    return rc;
}

long kz_ccc_control_outcome_encode(const kz_ccc_control_outcome *in, uint8_t *buf, size_t cap,
                                   kz_ccc_err *err)
{
    ccc_ctx c;
    ctx_init(&c, err, NULL);
    json_t *f = json_object();
    json_t *root = f ? json_pack("{s:o}", "controlOutcomeFormat", f) : NULL;
    if (!root)
        return oom(&c);
    path_key(&c, "controlOutcomeFormat");
    int rc = put_ts(&c, f, "receivedTimestamp", &in->received);
    if (rc) {
    } else if (in->format == 1) {
        rc = write_outcome_lists(&c, f, in->items, in->n_items);
    } else if (in->format == 2) {
        if (in->n_cells == 0 || in->n_cells > KZ_CCC_MAX_CELLS) {
            rc = fail(&c, KZ_EINVAL, "%u cells, need 1..%d", in->n_cells, KZ_CCC_MAX_CELLS);
        } else {
            json_t *arr = json_array();
            rc = put(&c, f, "listOfCellsForControlOutcome", arr);
            path_key(&c, "listOfCellsForControlOutcome");
            for (unsigned i = 0; !rc && i < in->n_cells; i++) {
                size_t q = path_idx(&c, i);
                json_t *co = json_object();
                rc = append(&c, arr, co);
                if (!rc)
                    rc = put_cgi(&c, co, "cellGlobalId", &in->cells[i].cgi);
                if (!rc)
                    rc = write_outcome_lists(&c, co, in->cells[i].items, in->cells[i].n_items);
                path_pop(&c, q);
            }
        }
    } else {
        rc = fail(&c, KZ_EINVAL, "format %d, expected 1 or 2", in->format);
    }
    return finish(&c, root, rc, buf, cap);
}

/* ---- public: RAN function definition ------------------------------------------------- */

static const char *const K_STRUCT_NODE[] = { "listOfSupportedNodeLevelConfigurationStructures",
                                             NULL };
static const char *const K_STRUCT_CELL[] = { "listOfSupportedCellLevelRANConfigurationStructures",
                                             "listOfSupportedCellLevelConfigurationStructures",
                                             NULL };

static int read_style(ccc_ctx *c, json_t *s, kz_ccc_ctrl_style *st)
{
    static const char *const k_name[] = { "controlServiceStyleName", NULL };
    long long x;
    memset(st, 0, sizeof *st);
    if (!json_is_object(s))
        return fail(c, KZ_EJSON, "expected an object, got %s", type_name(s));
    int rc = get_int(c, s, "controlServiceStyleType", true, 0, INT32_MAX, &x, NULL);
    st->style = (uint32_t)x;
    if (!rc)
        rc = get_str(c, s, k_name, false, st->name, sizeof st->name, NULL);
    if (!rc)
        rc = get_int(c, s, "controlServiceHeaderFormatType", true, 0, INT32_MAX, &x, NULL);
    st->header_format = (uint32_t)x;
    if (!rc)
        rc = get_int(c, s, "controlServiceMessageFormatType", true, 0, INT32_MAX, &x, NULL);
    st->message_format = (uint32_t)x;
    if (!rc)
        rc = get_int(c, s, "controlServiceControlOutcomeFormatType", false, 0, INT32_MAX, &x,
                     NULL);
    if (!rc && json_object_get(s, "controlServiceControlOutcomeFormatType"))
        st->outcome_format = (uint32_t)x;
    if (!rc)
        rc = get_int(c, s, "ricCallProcessIDFormatType", false, 0, INT32_MAX, &x,
                     &st->has_call_process_id_format);
    if (!rc && st->has_call_process_id_format)
        st->call_process_id_format = (uint32_t)x;
    return rc;
}

/* Index of style in def->ctrl_styles (added if new; the first advertisement of a style type
 * wins if later ones differ). */
static int intern_style(ccc_ctx *c, kz_ccc_ran_function_def *d, const kz_ccc_ctrl_style *st,
                        unsigned *idx)
{
    for (unsigned i = 0; i < d->n_ctrl_styles; i++)
        if (d->ctrl_styles[i].style == st->style) {
            *idx = i;
            return 0;
        }
    if (d->n_ctrl_styles >= KZ_CCC_MAX_CTRL_STYLES)
        return fail(c, KZ_ENOMEM, "more than %d distinct control styles (KZ_CCC_MAX_CTRL_STYLES)",
                    KZ_CCC_MAX_CTRL_STYLES);
    *idx = d->n_ctrl_styles;
    d->ctrl_styles[d->n_ctrl_styles++] = *st;
    return 0;
}

static int read_attr(ccc_ctx *c, kz_ccc_ran_function_def *d, json_t *a, kz_ccc_def_attr *out)
{
    static const char *const k_name[] = { "attributeName", NULL };
    if (!json_is_object(a))
        return fail(c, KZ_EJSON, "expected an object, got %s", type_name(a));
    int rc = get_str(c, a, k_name, true, out->name, sizeof out->name, NULL);
    json_t *svc;
    if (!rc)
        rc = member(c, a, "supportedServices", JSON_OBJECT, false, &svc);
    if (rc || !svc)
        return rc;
    size_t p = path_key(c, "supportedServices");
    json_t *rest = json_copy(svc);
    json_t *cs;
    if (!rest) {
        path_pop(c, p);
        return oom(c);
    }
    rc = member(c, svc, "controlService", JSON_OBJECT, false, &cs);
    if (!rc && cs) {
        static const char *const k_list[] = { "listOfSupportedControlStyles", NULL };
        json_t *arr;
        size_t q = path_key(c, "controlService");
        rc = get_list(c, cs, k_list, true, 32, "32", &arr);
        if (!rc) {
            size_t r = path_key(c, k_list[0]);
            for (size_t i = 0; !rc && i < json_array_size(arr); i++) {
                kz_ccc_ctrl_style st;
                unsigned idx = 0;
                size_t s = path_idx(c, i);
                rc = read_style(c, json_array_get(arr, i), &st);
                if (!rc)
                    rc = intern_style(c, d, &st, &idx);
                if (!rc)
                    out->ctrl_styles |= UINT32_C(1) << idx;
                path_pop(c, s);
            }
            path_pop(c, r);
        }
        path_pop(c, q);
        json_object_del(rest, "controlService");
    }
    if (!rc)
        rc = keep_json(c, rest, &out->services_json, &out->services_json_len, &d->json_dropped);
    json_decref(rest);
    path_pop(c, p);
    return rc;
}

static int read_def_structs(ccc_ctx *c, kz_ccc_ran_function_def *d, json_t *arr,
                            uint16_t *first, uint16_t *n)
{
    int rc = 0;
    *first = d->n_structs;
    *n = 0;
    for (size_t i = 0; !rc && i < json_array_size(arr); i++) {
        json_t *s = json_array_get(arr, i);
        size_t q = path_idx(c, i);
        if (d->n_structs >= KZ_CCC_DEF_MAX_STRUCTS) {
            rc = fail(c, KZ_ENOMEM, "more than %d structures in all (KZ_CCC_DEF_MAX_STRUCTS)",
                      KZ_CCC_DEF_MAX_STRUCTS);
            path_pop(c, q);
            break;
        }
        kz_ccc_def_struct *ds = &d->structs[d->n_structs++];
        (*n)++;
        static const char *const k_name[] = { "ranConfigurationStructureName", NULL };
        static const char *const k_attrs[] = { "listOfSupportedAttributes", NULL };
        json_t *attrs;
        if (!json_is_object(s))
            rc = fail(c, KZ_EJSON, "expected an object, got %s", type_name(s));
        if (!rc)
            rc = get_str(c, s, k_name, true, ds->name, sizeof ds->name, NULL);
        if (!rc)
            rc = get_list(c, s, k_attrs, true, KZ_CCC_DEF_MAX_ATTRS, "KZ_CCC_DEF_MAX_ATTRS",
                          &attrs);
        if (!rc) {
            size_t r = path_key(c, k_attrs[0]);
            ds->first_attr = d->n_attrs;
            for (size_t j = 0; !rc && j < json_array_size(attrs); j++) {
                size_t t = path_idx(c, j);
                if (d->n_attrs >= KZ_CCC_DEF_MAX_ATTRS)
                    rc = fail(c, KZ_ENOMEM, "more than %d attributes in all "
                              "(KZ_CCC_DEF_MAX_ATTRS)", KZ_CCC_DEF_MAX_ATTRS);
                else
                    rc = read_attr(c, d, json_array_get(attrs, j), &d->attrs[d->n_attrs++]);
                ds->n_attrs++;
                path_pop(c, t);
            }
            path_pop(c, r);
        }
        path_pop(c, q);
    }
    return rc;
}

static int oid_version(const char *oid)
{
    size_t np = strlen(KZ_CCC_OID_PREFIX);
    if (strncmp(oid, KZ_CCC_OID_PREFIX, np) != 0)
        return 0;
    char *end;
    long v = strtol(oid + np, &end, 10);
    if (end == oid + np || v <= 0 || v > 1000 || strcmp(end, ".2.4") != 0)
        return 0;
    return (int)v;
}

int kz_ccc_ran_function_def_parse(const uint8_t *bytes, size_t len, kz_ccc_ran_function_def *out,
                                  kz_arena *text, kz_ccc_err *err)
{
    static const char *const k_short[] = { "ranFunctionShortName", NULL };
    static const char *const k_oid[] = { "ranFunctionServiceModelOID", "ranFunctionE2SMOID",
                                         "ranFunctionOID", NULL };
    static const char *const k_desc[] = { "ranFunctionDescription", NULL };
    static const char *const k_cells[] = { "listOfCellsForRANFunctionDefinition",
                                           "listOfCellsForRanFunctionDefinition", NULL };
    ccc_ctx c;
    ctx_init(&c, err, text);
    memset(out, 0, sizeof *out);
    json_t *root, *name, *arr;
    int rc = load(&c, bytes, len, &root);
    if (rc)
        return rc;
    rc = member(&c, root, "ranFunctionName", JSON_OBJECT, true, &name);
    if (!rc) {
        size_t p = path_key(&c, "ranFunctionName");
        rc = get_str(&c, name, k_short, true, out->short_name, sizeof out->short_name, NULL);
        if (!rc)
            rc = get_str(&c, name, k_oid, true, out->oid, sizeof out->oid, NULL);
        if (!rc)
            rc = get_str(&c, name, k_desc, true, out->description, sizeof out->description,
                         NULL);
        long long inst = 0;
        if (!rc)
            rc = get_int(&c, name, "ranFunctionInstance", false, 0, INT32_MAX, &inst,
                         &out->has_instance);
        out->instance = (uint32_t)inst;
        out->version = oid_version(out->oid);
        path_pop(&c, p);
    }
    if (!rc)
        rc = get_list(&c, root, K_STRUCT_NODE, false, KZ_CCC_DEF_MAX_STRUCTS,
                      "KZ_CCC_DEF_MAX_STRUCTS", &arr);
    if (!rc && arr) {
        size_t p = path_key(&c, K_STRUCT_NODE[0]);
        rc = read_def_structs(&c, out, arr, &out->first_node_struct, &out->n_node_structs);
        path_pop(&c, p);
    }
    if (!rc)
        rc = get_list(&c, root, k_cells, false, KZ_CCC_MAX_CELLS, "KZ_CCC_MAX_CELLS", &arr);
    if (!rc && arr) {
        size_t p = at(&c, root, k_cells);
        for (size_t i = 0; !rc && i < json_array_size(arr); i++) {
            json_t *cell = json_array_get(arr, i);
            kz_ccc_def_cell *dc = &out->cells[i];
            json_t *sl;
            size_t q = path_idx(&c, i);
            out->n_cells = (uint8_t)(i + 1);
            if (!json_is_object(cell))
                rc = fail(&c, KZ_EJSON, "expected an object, got %s", type_name(cell));
            if (!rc)
                rc = read_cgi_member(&c, cell, &dc->cgi);
            if (!rc)
                rc = get_list(&c, cell, K_STRUCT_CELL, false, KZ_CCC_DEF_MAX_STRUCTS,
                              "KZ_CCC_DEF_MAX_STRUCTS", &sl);
            if (!rc && sl) {
                size_t r = at(&c, cell, K_STRUCT_CELL);
                rc = read_def_structs(&c, out, sl, &dc->first_struct, &dc->n_structs);
                path_pop(&c, r);
            }
            path_pop(&c, q);
        }
        path_pop(&c, p);
    }
    json_decref(root);
    return rc;
}

static json_t *write_style(ccc_ctx *c, const kz_ccc_ctrl_style *st)
{
    json_t *o = json_pack("{s:I, s:s, s:I, s:I}", "controlServiceStyleType",
                          (json_int_t)st->style, "controlServiceStyleName", st->name,
                          "controlServiceHeaderFormatType", (json_int_t)st->header_format,
                          "controlServiceMessageFormatType", (json_int_t)st->message_format);
    if (!o) {
        oom(c);
        return NULL;
    }
    if (st->has_call_process_id_format &&
        put(c, o, "ricCallProcessIDFormatType", json_integer(st->call_process_id_format))) {
        json_decref(o);
        return NULL;
    }
    if (put(c, o, "controlServiceControlOutcomeFormatType", json_integer(st->outcome_format))) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static int write_def_structs(ccc_ctx *c, const kz_ccc_ran_function_def *d, json_t *o,
                             const char *key, unsigned first, unsigned n)
{
    if (n == 0)
        return 0;
    if (first + n > d->n_structs || d->n_structs > KZ_CCC_DEF_MAX_STRUCTS)
        return fail(c, KZ_EINVAL, "structures %u..%u outside the %u in the pool", first,
                    first + n, d->n_structs);
    json_t *arr = json_array();
    int rc = put(c, o, key, arr);
    size_t p = path_key(c, key);
    for (unsigned i = 0; !rc && i < n; i++) {
        const kz_ccc_def_struct *s = &d->structs[first + i];
        size_t q = path_idx(c, i);
        json_t *so = json_object(), *attrs = json_array();
        rc = append(c, arr, so);
        if (!rc)
            rc = put_name(c, so, s->name);
        if (!rc)
            rc = put(c, so, "listOfSupportedAttributes", attrs);
        else
            json_decref(attrs);
        if (!rc && (s->first_attr + s->n_attrs > d->n_attrs || d->n_attrs > KZ_CCC_DEF_MAX_ATTRS))
            rc = fail(c, KZ_EINVAL, "attributes %u..%u outside the %u in the pool",
                      s->first_attr, s->first_attr + s->n_attrs, d->n_attrs);
        path_key(c, "listOfSupportedAttributes");
        for (unsigned j = 0; !rc && j < s->n_attrs; j++) {
            const kz_ccc_def_attr *a = &d->attrs[s->first_attr + j];
            size_t r = path_idx(c, j);
            json_t *ao = json_object(), *svc = json_object();
            rc = append(c, attrs, ao);
            if (!rc && (!memchr(a->name, '\0', sizeof a->name) || !a->name[0]))
                rc = fail(c, KZ_EINVAL, "empty or unterminated attributeName");
            if (!rc)
                rc = put(c, ao, "attributeName", json_string(a->name));
            if (!rc)
                rc = put(c, ao, "supportedServices", svc);
            else
                json_decref(svc);
            if (!rc && a->ctrl_styles) {
                json_t *list = json_array();
                rc = put(c, svc, "controlService",
                         list ? json_pack("{s:o}", "listOfSupportedControlStyles", list) : NULL);
                for (unsigned k = 0; !rc && k < 32; k++) {
                    if (!(a->ctrl_styles & (UINT32_C(1) << k)))
                        continue;
                    if (k >= d->n_ctrl_styles)
                        rc = fail(c, KZ_EINVAL, "control style bit %u but only %u styles", k,
                                  d->n_ctrl_styles);
                    else
                        rc = append(c, list, write_style(c, &d->ctrl_styles[k]));
                }
            }
            if (!rc) {
                size_t t = path_key(c, "supportedServices");
                rc = merge_json(c, svc, a->services_json, a->services_json_len);
                path_pop(c, t);
            }
            path_pop(c, r);
        }
        path_pop(c, q);
    }
    path_pop(c, p);
    return rc;
}

long kz_ccc_ran_function_def_encode(const kz_ccc_ran_function_def *in, uint8_t *buf, size_t cap,
                                    kz_ccc_err *err)
{
    ccc_ctx c;
    ctx_init(&c, err, NULL);
    if (in->json_dropped)
        return fail(&c, KZ_EINVAL, "pass-through JSON was dropped when parsed without an arena");
    if (!memchr(in->short_name, '\0', sizeof in->short_name) ||
        !memchr(in->oid, '\0', sizeof in->oid) ||
        !memchr(in->description, '\0', sizeof in->description))
        return fail(&c, KZ_EINVAL, "unterminated ranFunctionName string");
    json_t *name = json_pack("{s:s, s:s, s:s}", "ranFunctionShortName", in->short_name,
                             "ranFunctionServiceModelOID", in->oid,
                             "ranFunctionDescription", in->description);
    json_t *root = name ? json_pack("{s:o}", "ranFunctionName", name) : NULL;
    if (!root)
        return oom(&c);
    int rc = 0;
    if (in->has_instance)
        rc = put(&c, name, "ranFunctionInstance", json_integer(in->instance));
    if (!rc)
        rc = write_def_structs(&c, in, root, K_STRUCT_NODE[0], in->first_node_struct,
                               in->n_node_structs);
    if (!rc && in->n_cells > KZ_CCC_MAX_CELLS)
        rc = fail(&c, KZ_EINVAL, "%u cells, at most %d", in->n_cells, KZ_CCC_MAX_CELLS);
    if (!rc && in->n_cells) {
        json_t *arr = json_array();
        rc = put(&c, root, "listOfCellsForRANFunctionDefinition", arr);
        path_key(&c, "listOfCellsForRANFunctionDefinition");
        for (unsigned i = 0; !rc && i < in->n_cells; i++) {
            const kz_ccc_def_cell *dc = &in->cells[i];
            size_t q = path_idx(&c, i);
            json_t *co = json_object();
            rc = append(&c, arr, co);
            if (!rc)   /* srsRAN spells it with "ID" here, "Id" in messages; we follow it. */
                rc = put_cgi(&c, co, "cellGlobalID", &dc->cgi);
            if (!rc)
                rc = write_def_structs(&c, in, co, K_STRUCT_CELL[0], dc->first_struct,
                                       dc->n_structs);
            path_pop(&c, q);
        }
    }
    return finish(&c, root, rc, buf, cap);
}

/* ---- gNB advertisement ---------------------------------------------------------------- */

static void def_add_struct(kz_ccc_ran_function_def *d, const char *name,
                           const char *const *attrs, uint32_t styles)
{
    kz_ccc_def_struct *s = &d->structs[d->n_structs++];
    snprintf(s->name, sizeof s->name, "%s", name);
    s->first_attr = d->n_attrs;
    for (; *attrs; attrs++) {
        kz_ccc_def_attr *a = &d->attrs[d->n_attrs++];
        snprintf(a->name, sizeof a->name, "%s", *attrs);
        a->ctrl_styles = styles;
        s->n_attrs++;
    }
}

int kz_ccc_ran_function_def_gnb(kz_ccc_ran_function_def *d, int version,
                                const kz_ccc_nr_cgi *cells, size_t n_cells)
{
    static const char *const rrm[] = { "rRMPolicyMemberList", "rRMPolicyMaxRatio",
                                       "rRMPolicyMinRatio", "rRMPolicyDedicatedRatio", NULL };
    static const char *const du[] = { "administrativeState", NULL };
    static const char *const ces[] = { "energySavingControl", "cesSwitch", NULL };
    memset(d, 0, sizeof *d);
    /* Each cell uses 3 structures and 7 attributes; the node level 1 and 4. */
    if (n_cells > KZ_CCC_MAX_CELLS || 1 + 3 * n_cells > KZ_CCC_DEF_MAX_STRUCTS ||
        4 + 7 * n_cells > KZ_CCC_DEF_MAX_ATTRS)
        return KZ_ENOMEM;
    if (version <= 0 || version > 1000)
        return KZ_EINVAL;
    snprintf(d->short_name, sizeof d->short_name, "%s", KZ_CCC_SHORT_NAME);
    snprintf(d->oid, sizeof d->oid, "%s%d.2.4", KZ_CCC_OID_PREFIX, version);
    snprintf(d->description, sizeof d->description, "%s", KZ_CCC_DESCRIPTION);
    d->has_instance = true;
    d->instance = 0;
    d->version = version;
    d->n_ctrl_styles = 2;
    d->ctrl_styles[0] = (kz_ccc_ctrl_style){ .style = 1, .name = "Node Configuration and Control",
                                             .header_format = 1, .message_format = 1,
                                             .outcome_format = 1 };
    d->ctrl_styles[1] = (kz_ccc_ctrl_style){ .style = 2, .name = "Cell Configuration and Control",
                                             .header_format = 1, .message_format = 2,
                                             .outcome_format = 2 };
    d->first_node_struct = 0;
    def_add_struct(d, "O-RRMPolicyRatio", rrm, 1u << 0);
    d->n_node_structs = 1;
    for (size_t i = 0; i < n_cells; i++) {
        kz_ccc_def_cell *dc = &d->cells[d->n_cells++];
        dc->cgi = cells[i];
        dc->first_struct = d->n_structs;
        def_add_struct(d, "O-NRCellDU", du, 1u << 1);
        def_add_struct(d, "O-CESManagementFunction", ces, 1u << 1);
        def_add_struct(d, "O-RRMPolicyRatio", rrm, 1u << 1);
        dc->n_structs = 3;
    }
    return 0;
}

/* ---- small public helpers ------------------------------------------------------------ */

bool kz_ccc_cgi_equal(const kz_ccc_nr_cgi *a, const kz_ccc_nr_cgi *b)
{
    return a->nci == b->nci && strcmp(a->plmn.mcc, b->plmn.mcc) == 0 &&
           strcmp(a->plmn.mnc, b->plmn.mnc) == 0;
}

const char *kz_ccc_cause_name(kz_ccc_cause cause)
{
    if ((int)cause < 0 || (int)cause >= NELEM(CAUSES))
        return "?";
    return CAUSES[cause];
}

int kz_ccc_es_control_encode(const kz_ccc_nr_cgi *cell, bool to_energy_saving,
                             uint8_t *hdr, size_t hdr_cap, size_t *hdr_len,
                             uint8_t *msg, size_t msg_cap, size_t *msg_len, kz_ccc_err *err)
{
    kz_ccc_control_header h = { .style = 2 };
    long n = kz_ccc_control_header_encode(&h, hdr, hdr_cap, err);
    if (n < 0)
        return (int)n;
    *hdr_len = (size_t)n;

    /* The message struct is ~40 KiB (bounded arrays), too big for an xApp's stack. */
    kz_ccc_control_message *m = calloc(1, sizeof *m);
    if (!m) {
        if (err) {
            memset(err, 0, sizeof *err);
            err->code = KZ_ENOMEM;
            snprintf(err->text, sizeof err->text, "out of memory");
        }
        return KZ_ENOMEM;
    }
    m->format = 2;
    m->n_cells = 1;
    m->cells[0].cgi = *cell;
    m->cells[0].n_items = 1;
    kz_ccc_config_item *it = &m->cells[0].items[0];
    snprintf(it->name, sizeof it->name, "%s", STRUCT_NAMES[KZ_CCC_STRUCT_CES]);
    it->kind = KZ_CCC_STRUCT_CES;
    it->has_old = true;
    it->old_values.ces.es_control =
        to_energy_saving ? KZ_CCC_TO_BE_NOT_ENERGY_SAVING : KZ_CCC_TO_BE_ENERGY_SAVING;
    it->old_values.ces.es_state =
        to_energy_saving ? KZ_CCC_IS_NOT_ENERGY_SAVING : KZ_CCC_IS_ENERGY_SAVING;
    it->new_values.ces.es_control =
        to_energy_saving ? KZ_CCC_TO_BE_ENERGY_SAVING : KZ_CCC_TO_BE_NOT_ENERGY_SAVING;
    it->new_values.ces.es_state =
        to_energy_saving ? KZ_CCC_IS_ENERGY_SAVING : KZ_CCC_IS_NOT_ENERGY_SAVING;
    n = kz_ccc_control_message_encode(m, msg, msg_cap, err);
    free(m);
    if (n < 0)
        return (int)n;
    *msg_len = (size_t)n;
    return 0;
}

static bool es_item(const kz_ccc_outcome_item *items, unsigned n, kz_ccc_es_result *res)
{
    for (unsigned i = 0; i < n; i++)
        if (items[i].kind == KZ_CCC_STRUCT_CES) {
            res->cause = items[i].cause;
            res->accepted = items[i].cause == KZ_CCC_ACCEPTED;
            return true;
        }
    return false;
}

int kz_ccc_es_outcome_parse(const uint8_t *bytes, size_t len, const kz_ccc_nr_cgi *cell,
                            kz_ccc_es_result *res, kz_ccc_err *err)
{
    memset(res, 0, sizeof *res);
    kz_ccc_control_outcome *o = calloc(1, sizeof *o);
    ccc_ctx c;
    ctx_init(&c, err, NULL);
    if (!o)
        return fail(&c, KZ_ENOMEM, "out of memory");
    int rc = kz_ccc_control_outcome_parse(bytes, len, o, NULL, err);   /* drop pass-through */
    if (!rc) {
        bool found = false;
        if (o->format == 1) {
            found = es_item(o->items, o->n_items, res);
        } else {
            for (unsigned i = 0; !found && i < o->n_cells; i++)
                if (kz_ccc_cgi_equal(&o->cells[i].cgi, cell))
                    found = es_item(o->cells[i].items, o->cells[i].n_items, res);
        }
        if (!found) {
            char hex[16];
            snprintf(hex, sizeof hex, "%09" PRIX64, cell->nci);
            rc = fail(&c, KZ_EMISSING, "no O-CESManagementFunction outcome for cell %s/%s/%s",
                      cell->plmn.mcc, cell->plmn.mnc, hex);
        }
    }
    free(o);
    return rc;
}
