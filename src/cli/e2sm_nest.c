/*
 * cli/e2sm_nest.c -- E2SM payloads nested in E2AP JSON (see e2sm_nest.h for the shape).
 *
 * The walk works on the oracle-shaped JSON, not on the C structs: the E2SM octet strings sit in
 * a handful of places whatever the message (three SEQUENCE fields, eight IE ids), so a generic
 * walk over the tree covers every E2AP procedure, present and future, in one place.
 */
#include "cli/e2sm_nest.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "kizuna/asn_json.h"
#include "kizuna/e2sm_kpm_types.h"
#include "kizuna/e2sm_rc_types.h"

/* Where an E2SM payload sits, and what each service model puts there. */
typedef enum kz__role {
    R_RANFUNC_DEF, R_EVENT_TRIGGER, R_ACTION_DEF, R_IND_HDR, R_IND_MSG, R_CALL_PROCESS_ID,
    R_CTRL_HDR, R_CTRL_MSG, R_CTRL_OUTCOME, R_QUERY_HDR, R_QUERY_DEF, R_QUERY_OUTCOME, R__N
} kz__role;

static const struct {
    const char *field;      /* SEQUENCE field name, or NULL */
    int ie_id;              /* ProtocolIE-ID, or -1 */
    const char *what;       /* for messages */
    const kz_asn_type *kpm, *rc;
} kz__roles[R__N] = {
    [R_RANFUNC_DEF] = {"ranFunctionDefinition", -1, "RANfunctionDefinition",
                       &kz_kpm_E2SM_KPM_RANfunction_Description_desc,
                       &kz_rc_E2SM_RC_RANFunctionDefinition_desc},
    [R_EVENT_TRIGGER] = {"ricEventTriggerDefinition", 64, "RICeventTriggerDefinition",
                         &kz_kpm_E2SM_KPM_EventTriggerDefinition_desc,
                         &kz_rc_E2SM_RC_EventTrigger_desc},
    [R_ACTION_DEF] = {"ricActionDefinition", -1, "RICactionDefinition",
                      &kz_kpm_E2SM_KPM_ActionDefinition_desc, &kz_rc_E2SM_RC_ActionDefinition_desc},
    [R_IND_HDR] = {NULL, 25, "RICindicationHeader", &kz_kpm_E2SM_KPM_IndicationHeader_desc,
                   &kz_rc_E2SM_RC_IndicationHeader_desc},
    [R_IND_MSG] = {NULL, 26, "RICindicationMessage", &kz_kpm_E2SM_KPM_IndicationMessage_desc,
                   &kz_rc_E2SM_RC_IndicationMessage_desc},
    [R_CALL_PROCESS_ID] = {NULL, 20, "RICcallProcessID", NULL, &kz_rc_E2SM_RC_CallProcessID_desc},
    [R_CTRL_HDR] = {NULL, 22, "RICcontrolHeader", NULL, &kz_rc_E2SM_RC_ControlHeader_desc},
    [R_CTRL_MSG] = {NULL, 23, "RICcontrolMessage", NULL, &kz_rc_E2SM_RC_ControlMessage_desc},
    [R_CTRL_OUTCOME] = {NULL, 32, "RICcontrolOutcome", NULL, &kz_rc_E2SM_RC_ControlOutcome_desc},
    [R_QUERY_HDR] = {NULL, 95, "RICqueryHeader", NULL, NULL},
    [R_QUERY_DEF] = {NULL, 96, "RICqueryDefinition", NULL, NULL},
    [R_QUERY_OUTCOME] = {NULL, 97, "RICqueryOutcome", NULL, NULL},
};

#define KZ__ID_RANFUNCTION_ID 5

typedef struct kz__ranfunc {
    char assoc[128];
    int64_t id;
    kz_sm sm;
} kz__ranfunc;

struct kz_nest {
    kz_sm force_all;          /* --ran-function kpm */
    kz__ranfunc *forced;      /* --ran-function ID=kpm (assoc "") */
    size_t n_forced;
    kz__ranfunc *learnt;      /* from ranFunctionOID, latest last */
    size_t n_learnt, cap_learnt;
};

kz_nest *kz_nest_new(void)
{
    return calloc(1, sizeof(kz_nest));
}

void kz_nest_free(kz_nest *n)
{
    if (!n)
        return;
    free(n->forced);
    free(n->learnt);
    free(n);
}

static const char *sm_name(kz_sm sm)
{
    switch (sm) {
    case KZ_SM_KPM: return "kpm";
    case KZ_SM_RC: return "rc";
    case KZ_SM_CCC: return "ccc";
    default: return "?";
    }
}

static kz_sm sm_parse(const char *s)
{
    if (!strcmp(s, "kpm"))
        return KZ_SM_KPM;
    if (!strcmp(s, "rc"))
        return KZ_SM_RC;
    if (!strcmp(s, "ccc"))
        return KZ_SM_CCC;
    return KZ_SM_NONE;
}

int kz_nest_force(kz_nest *n, const char *spec, char *err, size_t errcap)
{
    const char *eq = strchr(spec, '=');
    kz_sm sm = sm_parse(eq ? eq + 1 : spec);
    if (sm == KZ_SM_NONE) {
        snprintf(err, errcap, "--ran-function '%s': expected kpm, rc, ccc or ID=kpm|rc|ccc", spec);
        return -1;
    }
    if (!eq) {
        n->force_all = sm;
        return 0;
    }
    char *end;
    long long id = strtoll(spec, &end, 10);
    if (end != eq || end == spec || id < 0 || id > 4095) {
        snprintf(err, errcap, "--ran-function '%s': the RAN function ID must be 0..4095", spec);
        return -1;
    }
    kz__ranfunc *f = realloc(n->forced, (n->n_forced + 1) * sizeof *f);
    if (!f) {
        snprintf(err, errcap, "out of memory");
        return -1;
    }
    n->forced = f;
    memset(&f[n->n_forced], 0, sizeof *f);
    f[n->n_forced].id = id;
    f[n->n_forced].sm = sm;
    n->n_forced++;
    return 0;
}

kz_sm kz_nest_sm_from_oid(const char *oid)
{
    static const char prefix[] = "1.3.6.1.4.1.53148.1.";
    if (!oid || strncmp(oid, prefix, sizeof prefix - 1))
        return KZ_SM_NONE;
    const char *p = oid + sizeof prefix - 1;
    if (*p < '0' || *p > '9')
        return KZ_SM_NONE;
    while (*p >= '0' && *p <= '9')
        p++;
    if (!strcmp(p, ".2.2"))
        return KZ_SM_KPM;
    if (!strcmp(p, ".2.3"))
        return KZ_SM_RC;
    if (!strcmp(p, ".2.4"))
        return KZ_SM_CCC;
    return KZ_SM_NONE;
}

static void learn_one(kz_nest *n, const char *assoc, int64_t id, kz_sm sm)
{
    for (size_t i = 0; i < n->n_learnt; i++)
        if (n->learnt[i].id == id && !strcmp(n->learnt[i].assoc, assoc)) {
            n->learnt[i].sm = sm;
            return;
        }
    if (n->n_learnt == n->cap_learnt) {
        size_t cap = n->cap_learnt ? 2 * n->cap_learnt : 16;
        kz__ranfunc *v = realloc(n->learnt, cap * sizeof *v);
        if (!v)
            return;   /* only costs a later "unknown" */
        n->learnt = v;
        n->cap_learnt = cap;
    }
    kz__ranfunc *r = &n->learnt[n->n_learnt++];
    snprintf(r->assoc, sizeof r->assoc, "%s", assoc);
    r->id = id;
    r->sm = sm;
}

/* Every object with an integer ranFunctionID and a string ranFunctionOID is a RANfunction-Item
 * (E2setupRequest, RICserviceUpdate, E2nodeConfigurationUpdate ...). */
static void learn(kz_nest *n, const char *assoc, const json_t *j)
{
    if (json_is_array(j)) {
        size_t i;
        const json_t *v;
        json_array_foreach(j, i, v)
            learn(n, assoc, v);
        return;
    }
    if (!json_is_object(j))
        return;
    const json_t *id = json_object_get(j, "ranFunctionID");
    const json_t *oid = json_object_get(j, "ranFunctionOID");
    if (json_is_integer(id) && json_is_string(oid)) {
        kz_sm sm = kz_nest_sm_from_oid(json_string_value(oid));
        if (sm != KZ_SM_NONE)
            learn_one(n, assoc, json_integer_value(id), sm);
    }
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)j, key, v)
        learn(n, assoc, v);
}

static kz_sm lookup(const kz_nest *n, const char *assoc, int64_t id, kz_sm item_sm)
{
    for (size_t i = 0; i < n->n_forced; i++)
        if (n->forced[i].id == id)
            return n->forced[i].sm;
    if (n->force_all != KZ_SM_NONE)
        return n->force_all;
    if (item_sm != KZ_SM_NONE)
        return item_sm;
    if (id < 0)
        return KZ_SM_NONE;
    for (size_t i = n->n_learnt; i-- > 0;)
        if (n->learnt[i].id == id && !strcmp(n->learnt[i].assoc, assoc))
            return n->learnt[i].sm;
    for (size_t i = n->n_learnt; i-- > 0;)   /* same ID learnt on another association */
        if (n->learnt[i].id == id)
            return n->learnt[i].sm;
    return KZ_SM_NONE;
}

/* Decode one payload: sets *type ("kpm:..."), and returns the decoded JSON or NULL with err. */
static json_t *decode_payload(kz_sm sm, kz__role role, const char *hex, char *type,
                              size_t typecap, char *err, size_t errcap)
{
    uint8_t *buf;
    size_t len;
    char herr[128];
    type[0] = 0;
    if (kz_cli_hex_to_bytes(hex, strlen(hex), &buf, &len, herr, sizeof herr)) {
        snprintf(err, errcap, "%s", herr);
        return NULL;
    }
    json_t *out = NULL;
    if (sm == KZ_SM_CCC) {
        snprintf(type, typecap, "ccc");
        json_error_t je;
        out = json_loadb((const char *)buf, len, JSON_DECODE_ANY, &je);
        if (!out)
            snprintf(err, errcap, "not E2SM-CCC JSON: line %d column %d: %s", je.line,
                     je.column, je.text);
        free(buf);
        return out;
    }
    const kz_asn_type *t = sm == KZ_SM_KPM ? kz__roles[role].kpm : kz__roles[role].rc;
    if (!t) {
        snprintf(err, errcap, "E2SM-%s defines no %s", sm == KZ_SM_KPM ? "KPM v03.00" : "RC v01.03",
                 kz__roles[role].what);
        free(buf);
        return NULL;
    }
    snprintf(type, typecap, "%s:%s", sm_name(sm), t->name);
    void *mem, *val;
    kz_asn_diag diag;
    int rc = kz_cli_decode_value(t, buf, len, &mem, &val, &diag);
    if (rc) {
        char d[512];
        kz_asn_diag_format(&diag, d, sizeof d);
        if (sm == KZ_SM_KPM)
            snprintf(err, errcap, "not E2SM-KPM v03.00: %s (KPM v1/v2/v3 share one OID; only "
                     "v03.00 is known)", d);
        else
            snprintf(err, errcap, "not E2SM-RC v01.03: %s", d);
    } else {
        out = kz_asn_to_json(t, val);
        if (!out)
            snprintf(err, errcap, "out of memory");
        free(mem);
    }
    free(buf);
    return out;
}

typedef struct kz__pending {
    const char *key;
    kz__role role;
} kz__pending;

static void annotate(kz_nest *n, const char *assoc, json_t *j, int64_t ranfid);

static void annotate_object(kz_nest *n, const char *assoc, json_t *j, int64_t ranfid)
{
    /* The RAN function this part of the message is about. */
    const json_t *ies = json_object_get(j, "protocolIEs");
    if (json_is_array(ies)) {
        size_t i;
        const json_t *ie;
        json_array_foreach(ies, i, ie) {
            const json_t *id = json_object_get(ie, "id"), *v = json_object_get(ie, "value");
            if (json_is_integer(id) && json_integer_value(id) == KZ__ID_RANFUNCTION_ID &&
                json_is_integer(v))
                ranfid = json_integer_value(v);
        }
    }
    const json_t *fid = json_object_get(j, "ranFunctionID");
    if (json_is_integer(fid))
        ranfid = json_integer_value(fid);
    const json_t *oid = json_object_get(j, "ranFunctionOID");
    kz_sm item_sm = json_is_string(oid) ? kz_nest_sm_from_oid(json_string_value(oid)) : KZ_SM_NONE;
    const json_t *ieid = json_object_get(j, "id");

    kz__pending pend[8];
    size_t np = 0;
    const char *key;
    json_t *v;
    json_object_foreach(j, key, v) {
        if (strchr(key, '.'))
            continue;
        if (json_is_string(v) && np < 8) {
            for (int r = 0; r < R__N; r++) {
                bool hit = kz__roles[r].field ? !strcmp(key, kz__roles[r].field) : false;
                if (!hit && kz__roles[r].ie_id >= 0 && !strcmp(key, "value") &&
                    json_is_integer(ieid) && json_integer_value(ieid) == kz__roles[r].ie_id)
                    hit = true;
                if (hit) {
                    pend[np].key = key;
                    pend[np++].role = (kz__role)r;
                    break;
                }
            }
        } else if (json_is_object(v) || json_is_array(v)) {
            annotate(n, assoc, v, ranfid);
        }
    }
    if (!np)
        return;

    /* Rebuild the object so each annotation follows its octet string. */
    json_t *copy = json_object();
    if (!copy)
        return;
    json_object_foreach(j, key, v) {
        json_object_set(copy, key, v);
        size_t p = 0;
        while (p < np && strcmp(pend[p].key, key))
            p++;
        if (p == np)
            continue;
        kz__role role = pend[p].role;
        kz_sm sm = lookup(n, assoc, ranfid, role == R_RANFUNC_DEF ? item_sm : KZ_SM_NONE);
        char type[160] = "", err[768] = "", k[160];
        json_t *dec = NULL;
        if (sm == KZ_SM_NONE) {
            if (ranfid < 0)
                snprintf(err, sizeof err, "RAN function ID unknown: use --ran-function kpm|rc|ccc");
            else
                snprintf(err, sizeof err, "RAN function %lld: service model unknown (no E2 setup "
                         "or RIC service update declaring it seen before; use --ran-function "
                         "%lld=kpm|rc|ccc)", (long long)ranfid, (long long)ranfid);
        } else {
            dec = decode_payload(sm, role, json_string_value(v), type, sizeof type, err,
                                 sizeof err);
        }
        if (type[0]) {
            snprintf(k, sizeof k, "%s.e2sm", key);
            json_object_set_new(copy, k, json_string(type));
        }
        snprintf(k, sizeof k, "%s.%s", key, dec ? "decoded" : "error");
        json_object_set_new(copy, k, dec ? dec : json_string(err));
    }
    json_object_clear(j);
    json_object_update(j, copy);
    json_decref(copy);
}

static void annotate(kz_nest *n, const char *assoc, json_t *j, int64_t ranfid)
{
    if (json_is_array(j)) {
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v)
            annotate(n, assoc, v, ranfid);
    } else if (json_is_object(j)) {
        annotate_object(n, assoc, j, ranfid);
    }
}

void kz_nest_annotate(kz_nest *n, const char *assoc, json_t *pdu)
{
    learn(n, assoc ? assoc : "", pdu);
    annotate(n, assoc ? assoc : "", pdu, -1);
}

/* ---- encode side ----------------------------------------------------------------------- */

static int encode_payload(const char *type, const json_t *val, char **hex, char *err,
                          size_t errcap)
{
    if (!strcmp(type, "ccc") || !strncmp(type, "ccc:", 4)) {
        char *s = json_dumps(val, JSON_COMPACT | JSON_ENCODE_ANY);
        if (!s) {
            snprintf(err, errcap, "cannot write the E2SM-CCC JSON");
            return -1;
        }
        *hex = kz_cli_bytes_to_hex((const uint8_t *)s, strlen(s));
        free(s);
        return *hex ? 0 : -1;
    }
    const kz_asn_type *t = kz_cli_type_find(type, NULL);
    if (!t) {
        snprintf(err, errcap, "unknown E2SM type \"%s\"", type);
        return -1;
    }
    size_t cap = 1 << 20;
    void *mem = malloc(cap);
    uint8_t *buf = malloc(cap);
    int rc = -1;
    if (mem && buf) {
        kz_arena a;
        kz_arena_init(&a, mem, cap);
        kz_asn_diag diag;
        kz_asn_diag_init(&diag);
        void *v;
        char d[512];
        if (kz_asn_from_json(t, val, &a, &v, &diag)) {
            snprintf(err, errcap, "%s at $%s: %s", type, diag.path,
                     diag.detail[0] ? diag.detail : kz_strerror(diag.code));
        } else {
            kz_asn_diag_init(&diag);
            long len = kz_asn_encode(t, v, buf, cap, &diag);
            if (len < 0) {
                snprintf(err, errcap, "%s: %s", type, kz_asn_diag_format(&diag, d, sizeof d));
            } else {
                *hex = kz_cli_bytes_to_hex(buf, (size_t)len);
                rc = *hex ? 0 : -1;
            }
        }
    } else {
        snprintf(err, errcap, "out of memory");
    }
    free(mem);
    free(buf);
    return rc;
}

static int strip(json_t *j, char *path, size_t plen, size_t pcap, char *err, size_t errcap)
{
    if (json_is_array(j)) {
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v) {
            snprintf(path + plen, pcap - plen, "[%zu]", i);
            if (strip(v, path, strlen(path), pcap, err, errcap))
                return -1;
        }
        path[plen] = 0;
        return 0;
    }
    if (!json_is_object(j))
        return 0;
    const char *key;
    json_t *v;
    void *tmp;
    /* First: payloads given only as JSON (collected, then set: no insertion while iterating). */
    struct { char base[160]; char *hex; } add[16];
    size_t nadd = 0;
    int rc = 0;
    json_object_foreach(j, key, v) {
        size_t kl = strlen(key);
        if (kl <= 8 || strcmp(key + kl - 8, ".decoded"))
            continue;
        char base[160], tk[170];
        snprintf(base, sizeof base, "%.*s", (int)(kl - 8), key);
        if (json_object_get(j, base))
            continue;   /* the hex wins: decode -> encode gives back the same bytes */
        snprintf(tk, sizeof tk, "%s.e2sm", base);
        const json_t *type = json_object_get(j, tk);
        if (!json_is_string(type)) {
            snprintf(err, errcap, "%s.%s: needs \"%s\" (e.g. \"kpm:E2SM-KPM-IndicationMessage\")"
                     " or the hex in \"%s\"", path, key, tk, base);
            rc = -1;
            break;
        }
        char *hex = NULL, e[700];
        if (nadd == sizeof add / sizeof add[0]) {
            snprintf(err, errcap, "%s: too many .decoded payloads in one object", path);
            rc = -1;
            break;
        }
        if (encode_payload(json_string_value(type), v, &hex, e, sizeof e)) {
            snprintf(err, errcap, "%s.%s: %s", path, key, e);
            rc = -1;
            break;
        }
        snprintf(add[nadd].base, sizeof add[nadd].base, "%s", base);
        add[nadd++].hex = hex;
    }
    for (size_t i = 0; i < nadd; i++) {
        if (!rc)
            json_object_set_new(j, add[i].base, json_string(add[i].hex));
        free(add[i].hex);
    }
    if (rc)
        return -1;
    json_object_foreach_safe(j, tmp, key, v) {
        if (strchr(key, '.')) {
            json_object_del(j, key);
            continue;
        }
        snprintf(path + plen, pcap - plen, ".%s", key);
        if (strip(v, path, strlen(path), pcap, err, errcap))
            return -1;
    }
    path[plen] = 0;
    return 0;
}

int kz_nest_strip(json_t *root, char *err, size_t errcap)
{
    char path[1024] = "";
    return strip(root, path, 0, sizeof path, err, errcap);
}
