/*
 * cli/cli_types.c -- find a generated ASN.1 descriptor by its ASN.1 name.
 *
 * Why: `kizuna decode/encode --type kpm:E2SM-KPM-IndicationMessage` must reach any type of the
 * E2AP and E2SM modules without a hand-kept table that drifts from tools/asn1gen.py.  The
 * generator names every descriptor after its ASN.1 type, so we walk the descriptor graph from a
 * few roots per set and compare names.  Anonymous inner types (named "Outer__field" by the
 * generator) are not listed.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "kizuna/e2ap_types.h"
#include "kizuna/e2sm_kpm_types.h"
#include "kizuna/e2sm_rc_types.h"

typedef struct kz__set {
    const char *name;
    const char *prefix;            /* tried in front of a name that is not found as given */
    const kz_asn_type *roots[12];
} kz__set;

static const kz__set kz__sets[] = {
    {"e2ap", "", {&kz_e2ap_E2AP_PDU_desc}},
    {"kpm", "E2SM-KPM-",
     {&kz_kpm_E2SM_KPM_EventTriggerDefinition_desc, &kz_kpm_E2SM_KPM_ActionDefinition_desc,
      &kz_kpm_E2SM_KPM_IndicationHeader_desc, &kz_kpm_E2SM_KPM_IndicationMessage_desc,
      &kz_kpm_E2SM_KPM_RANfunction_Description_desc}},
    {"rc", "E2SM-RC-",
     {&kz_rc_E2SM_RC_EventTrigger_desc, &kz_rc_E2SM_RC_ActionDefinition_desc,
      &kz_rc_E2SM_RC_IndicationHeader_desc, &kz_rc_E2SM_RC_IndicationMessage_desc,
      &kz_rc_E2SM_RC_CallProcessID_desc, &kz_rc_E2SM_RC_ControlHeader_desc,
      &kz_rc_E2SM_RC_ControlMessage_desc, &kz_rc_E2SM_RC_ControlOutcome_desc,
      &kz_rc_E2SM_RC_RANFunctionDefinition_desc}},
};
#define KZ__NSETS (sizeof kz__sets / sizeof kz__sets[0])

typedef struct kz__seen {
    const kz_asn_type **v;
    size_t n, cap;
} kz__seen;

static int seen_add(kz__seen *s, const kz_asn_type *t)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i] == t)
            return 0;
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 256;
        const kz_asn_type **v = realloc(s->v, cap * sizeof *v);
        if (!v)
            return 0;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = t;
    return 1;
}

/* Depth-first over every type reachable from t (iterative over s->v as a work list). */
static void collect(kz__seen *s, const kz_asn_type *root)
{
    size_t i = s->n;
    seen_add(s, root);
    for (; i < s->n; i++) {
        const kz_asn_type *t = s->v[i];
        if (t->fields)
            for (unsigned k = 0; k < t->n; k++)
                if (t->fields[k].type)
                    seen_add(s, t->fields[k].type);
        if (t->ies)
            for (unsigned k = 0; k < t->n; k++)
                if (t->ies[k].type)
                    seen_add(s, t->ies[k].type);
        if (t->elem)
            seen_add(s, t->elem);
    }
}

static void collect_set(kz__seen *s, const kz__set *set)
{
    for (size_t r = 0; r < sizeof set->roots / sizeof set->roots[0] && set->roots[r]; r++)
        collect(s, set->roots[r]);
}

static int listed(const kz_asn_type *t)
{
    return t->name && !strstr(t->name, "__");
}

static const kz_asn_type *find_in(const kz__set *set, const char *name)
{
    kz__seen s = {0};
    collect_set(&s, set);
    const kz_asn_type *hit = NULL;
    char prefixed[256];
    snprintf(prefixed, sizeof prefixed, "%s%s", set->prefix, name);
    for (int pass = 0; pass < 2 && !hit; pass++)
        for (size_t i = 0; i < s.n && !hit; i++)
            if (listed(s.v[i]) && !strcmp(s.v[i]->name, pass ? prefixed : name))
                hit = s.v[i];
    free(s.v);
    return hit;
}

const kz_asn_type *kz_cli_type_find(const char *spec, const char **set_out)
{
    const char *colon = strchr(spec, ':');
    for (size_t i = 0; i < KZ__NSETS; i++) {
        const kz__set *set = &kz__sets[i];
        const char *name = spec;
        if (colon) {
            size_t n = (size_t)(colon - spec);
            if (strlen(set->name) != n || strncmp(spec, set->name, n))
                continue;
            name = colon + 1;
        }
        const kz_asn_type *t = find_in(set, name);
        if (t) {
            if (set_out)
                *set_out = set->name;
            return t;
        }
    }
    return NULL;
}

static int by_name(const void *a, const void *b)
{
    const kz_asn_type *x = *(const kz_asn_type *const *)a, *y = *(const kz_asn_type *const *)b;
    return strcmp(x->name, y->name);
}

void kz_cli_types_list(FILE *f, const char *set_name)
{
    for (size_t i = 0; i < KZ__NSETS; i++) {
        if (set_name && strcmp(set_name, kz__sets[i].name))
            continue;
        kz__seen s = {0};
        collect_set(&s, &kz__sets[i]);
        size_t m = 0;
        for (size_t k = 0; k < s.n; k++)
            if (listed(s.v[k]))
                s.v[m++] = s.v[k];
        qsort(s.v, m, sizeof *s.v, by_name);
        for (size_t k = 0; k < m; k++)
            if (k == 0 || strcmp(s.v[k]->name, s.v[k - 1]->name))
                fprintf(f, "%s:%s\n", kz__sets[i].name, s.v[k]->name);
        free(s.v);
    }
}
