/*
 * gen_corpus.c -- writes the seed corpora of the fuzz targets (fuzz/corpus/<target>/), which
 * are committed so that a clone can fuzz without ../shared:
 *
 *   fuzz_e2ap  the E2AP samples of ../shared/spec/samples, the five bench PDUs, and random
 *              valid PDUs of every message type (kz_asn_random)
 *   fuzz_e2sm  type-index byte + encoding: the KPM / RC samples, the E2SM payloads of the bench
 *              PDUs, random valid values of each type in fuzz_e2sm_types.h, and RC indication
 *              messages of format 3 as the emulated gNB sends its neighbour relation tables
 *              (kz_rc_build_nrt_message: none of the 14 random and sample seeds of that
 *              type was format 3, so the parse helper's NR paths had no seed)
 *   fuzz_json  E2AP PDUs as the JSON text `kizuna decode` prints
 *
 * Usage: gen_corpus OUT_DIR [SAMPLES_DIR]   (file names are a hash of the content)
 * Deterministic: the same sources give the same files.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "kizuna/asn_json.h"
#include "kizuna/e2ap.h"
#include "kizuna/e2sm_rc.h"
#include "proto/asn_random.h"

#include "../bench/bench_e2ap_pdus.h"
#include "fuzz_e2sm_types.h"

#define N_RANDOM_E2AP 300
#define N_RANDOM_E2SM_PER_TYPE 15
#define N_RANDOM_JSON 40

static const char *out_dir;
static unsigned written[3];
enum { T_E2AP, T_E2SM, T_JSON };
static const char *const target_dir[3] = { "fuzz_e2ap", "fuzz_e2sm", "fuzz_json" };

static int save(int target, uint8_t prefix_byte, bool prefix, const void *data, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ull;   /* FNV-1a over what is written */
    if (prefix)
        h = (h ^ prefix_byte) * 0x100000001b3ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ ((const uint8_t *)data)[i]) * 0x100000001b3ull;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s/%016llx", out_dir, target_dir[target], (unsigned long long)h);
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "gen_corpus: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (prefix)
        fputc(prefix_byte, f);
    fwrite(data, 1, len, f);
    fclose(f);
    written[target]++;
    return 0;
}

static int save_json(const kz_e2ap_pdu *pdu)
{
    json_t *j = kz_asn_to_json(&kz_e2ap_E2AP_PDU_desc, pdu);
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!text)
        return -1;
    int rc = save(T_JSON, 0, false, text, strlen(text));
    free(text);
    return rc;
}

static int e2sm_index(const char *type_name)
{
    for (unsigned i = 0; i < KZ_FUZZ_N_E2SM_TYPES; i++)
        if (!strcmp(kz_fuzz_e2sm_types[i]->name, type_name))
            return (int)i;
    return -1;
}

/* An E2AP PDU's bytes: seed for fuzz_e2ap, and its JSON for fuzz_json. */
static int save_e2ap(const uint8_t *buf, size_t len, kz_arena *a)
{
    if (save(T_E2AP, 0, false, buf, len))
        return -1;
    kz_e2ap_pdu *pdu;
    kz_arena_reset(a);
    if (kz_e2ap_decode(buf, len, a, &pdu, NULL))
        return 0;
    return save_json(pdu);
}

/* ../shared/spec/samples/NAME.hex: a '#' line naming "(asn1-oracle decode SET TYPE -)", then hex. */
static int samples(const char *dir, kz_arena *a)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "gen_corpus: no samples (%s: %s); seeds from generated values only\n", dir,
                strerror(errno));
        return 0;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t nl = strlen(e->d_name);
        if (nl < 5 || strcmp(e->d_name + nl - 4, ".hex"))
            continue;
        char path[4096], line[65536], type[128] = "";
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        static uint8_t bin[32768];
        size_t n = 0;
        while (fgets(line, sizeof line, f)) {
            if (line[0] == '#') {
                const char *p = strstr(line, "asn1-oracle decode ");
                char set[16];
                if (p)
                    sscanf(p, "asn1-oracle decode %15s %127s", set, type);
                continue;
            }
            for (char *p = line; p[0] && p[1] && n < sizeof bin; p += 2) {
                unsigned x;
                if (sscanf(p, "%2x", &x) != 1)
                    break;
                bin[n++] = (uint8_t)x;
            }
        }
        fclose(f);
        int idx = e2sm_index(type);
        if (!strcmp(type, "E2AP-PDU")) {
            if (save_e2ap(bin, n, a))
                return -1;
        } else if (idx >= 0) {
            if (save(T_E2SM, (uint8_t)idx, true, bin, n))
                return -1;
        }
    }
    closedir(d);
    return 0;
}

static int bench_pdus(kz_arena *a)
{
    kz_bench_pdu p[KZ_BENCH_NPDUS];
    kz_arena_reset(a);
    if (kz_bench_pdus_build(a, p))
        return -1;
    static uint8_t buf[65536];
    kz_arena dec;
    static uint8_t dmem[1 << 20];
    kz_arena_init(&dec, dmem, sizeof dmem);
    for (int i = 0; i < KZ_BENCH_NPDUS; i++) {
        long n = kz_e2ap_encode(&p[i].pdu, buf, sizeof buf, NULL);
        if (n < 0 || save_e2ap(buf, (size_t)n, &dec))
            return -1;
    }
    /* Their E2SM payloads, under the type that reads each. */
    const kz_e2ap_E2setupRequest *p1 = &p[0].pdu.u.initiatingMessage.u.E2setupRequest;
    const kz_e2ap_RICsubscriptionRequest *p2 = &p[1].pdu.u.initiatingMessage.u.RICsubscriptionRequest;
    const kz_e2ap_RICindication *p3 = &p[2].pdu.u.initiatingMessage.u.RICindication;
    const kz_e2ap_RICindication *p4 = &p[3].pdu.u.initiatingMessage.u.RICindication;
    const kz_e2ap_RICcontrolRequest *p5 = &p[4].pdu.u.initiatingMessage.u.RICcontrolRequest;
    const struct { const char *type; kz_octets o; } payloads[] = {
        { "E2SM-KPM-RANfunction-Description", p1->RANfunctionsAdded.items[0].value.ranFunctionDefinition },
        { "E2SM-RC-RANFunctionDefinition", p1->RANfunctionsAdded.items[1].value.ranFunctionDefinition },
        { "E2SM-KPM-EventTriggerDefinition", p2->RICsubscriptionDetails.ricEventTriggerDefinition },
        { "E2SM-KPM-ActionDefinition",
          p2->RICsubscriptionDetails.ricAction_ToBeSetup_List.items[0].value.ricActionDefinition },
        { "E2SM-KPM-IndicationHeader", p3->RICindicationHeader },
        { "E2SM-KPM-IndicationMessage", p3->RICindicationMessage },
        { "E2SM-KPM-IndicationMessage", p4->RICindicationMessage },
        { "E2SM-RC-ControlHeader", p5->RICcontrolHeader },
        { "E2SM-RC-ControlMessage", p5->RICcontrolMessage },
    };
    for (size_t i = 0; i < sizeof payloads / sizeof payloads[0]; i++) {
        int idx = e2sm_index(payloads[i].type);
        if (idx < 0) {
            fprintf(stderr, "gen_corpus: no E2SM type named %s\n", payloads[i].type);
            return -1;
        }
        if (save(T_E2SM, (uint8_t)idx, true, payloads[i].o.buf, payloads[i].o.len))
            return -1;
    }
    return 0;
}

/* Indication messages of format 3 from the builder: 1 cell without a table, 1 cell with one
 * neighbour, 3 cells with 1-3 neighbours of mixed modes and flags, and 1 cell with the most
 * neighbours the helpers handle (KZ_RC_NRT_MAX_NBR).  Values spread over their ranges. */
static int nrt_messages(kz_arena *a)
{
    int idx = e2sm_index("E2SM-RC-IndicationMessage");
    if (idx < 0)
        return -1;
    static kz_rc_nr_nbr nb[KZ_RC_NRT_MAX_NBR];
    for (unsigned k = 0; k < KZ_RC_NRT_MAX_NBR; k++) {
        kz_rc_nr_nbr *b = &nb[k];
        memset(b, 0, sizeof *b);
        b->cgi.plmn[0] = 0x00;
        b->cgi.plmn[1] = 0xf1;
        b->cgi.plmn[2] = 0x10;
        b->cgi.nci = 0x000100000ull * (k + 1) + k;
        b->pci = (uint16_t)(k * 97 % 1008);
        b->arfcn = k % 2 ? 630000 : 2079167;   /* 3450 MHz (n78) and an FR2 raster point (n257) */
        b->band = k % 2 ? 78 : 257;
        b->tac = 0x000100 + k;
        b->tdd = k % 3 != 0;
        b->xn = k % 2 == 0;
        b->ho_validated = k % 4 != 1;
        b->version = (uint16_t)(1 + k);
    }
    kz_rc_cell_nrt c[3];
    for (unsigned i = 0; i < 3; i++) {
        memset(&c[i], 0, sizeof c[i]);
        c[i].cgi.plmn[0] = 0x00;
        c[i].cgi.plmn[1] = 0xf1;
        c[i].cgi.plmn[2] = 0x10;
        c[i].cgi.nci = 0xFFFFFFFF0ull + i;
        c[i].pci = (uint16_t)(1007 - i);
        c[i].arfcn = 630000 + 2 * i;
    }
    const struct { size_t cells, nbrs[3]; } shapes[] = {
        { 1, { 0, 0, 0 } }, { 1, { 1, 0, 0 } }, { 3, { 1, 2, 3 } }, { 1, { KZ_RC_NRT_MAX_NBR, 0, 0 } },
    };
    static uint8_t buf[1 << 16];
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        size_t used = 0;
        for (size_t i = 0; i < shapes[s].cells; i++) {
            c[i].nbr = nb + used;
            c[i].n_nbr = shapes[s].nbrs[i];
            used += shapes[s].nbrs[i];
        }
        kz_arena_reset(a);
        long n = kz_rc_build_nrt_message(c, shapes[s].cells, a, buf, sizeof buf);
        if (n < 0) {
            fprintf(stderr, "gen_corpus: format-3 message %zu does not build: %s\n", s, kz_strerror((int)n));
            return -1;
        }
        if (save(T_E2SM, (uint8_t)idx, true, buf, (size_t)n))
            return -1;
    }
    return 0;
}

/* count random values of t, encoded; E2AP ones also as JSON (the first json_count). */
static int random_values(const kz_asn_type *t, int target, int e2sm_idx, unsigned count,
                         unsigned json_count, uint64_t seed, kz_arena *a)
{
    static uint8_t buf[1 << 18];
    static uint64_t val[1 << 13];   /* any value struct, suitably aligned */
    kz_asn_random_opts o = { .rng = seed, .max_octets = 40, .max_items = 3,
                             .big_octets_per_mille = 0, .no_real_specials = false };
    for (unsigned i = 0; i < count; i++) {
        kz_arena_reset(a);
        memset(val, 0, t->size);
        if (kz_asn_random(t, &o, a, val))
            return -1;
        kz_asn_diag diag;
        kz_asn_diag_init(&diag);
        long n = kz_asn_encode(t, val, buf, sizeof buf, &diag);
        if (n < 0) {
            char msg[600];
            fprintf(stderr, "gen_corpus: random %s does not encode: %s\n", t->name,
                    kz_asn_diag_format(&diag, msg, sizeof msg));
            continue;
        }
        if (save(target, (uint8_t)e2sm_idx, target == T_E2SM, buf, (size_t)n))
            return -1;
        if (i < json_count && save_json((const kz_e2ap_pdu *)(const void *)val))
            return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: gen_corpus OUT_DIR [SAMPLES_DIR]\n");
        return 2;
    }
    out_dir = argv[1];
    mkdir(out_dir, 0777);
    for (int t = 0; t < 3; t++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", out_dir, target_dir[t]);
        mkdir(path, 0777);
    }
    static uint8_t mem[1 << 22];
    kz_arena a;
    kz_arena_init(&a, mem, sizeof mem);
    if ((argc == 3 && samples(argv[2], &a)) || bench_pdus(&a))
        return 1;
    if (random_values(&kz_e2ap_E2AP_PDU_desc, T_E2AP, 0, N_RANDOM_E2AP, N_RANDOM_JSON, 0x4b697a756e61ull, &a))
        return 1;
    for (unsigned i = 0; i < KZ_FUZZ_N_E2SM_TYPES; i++)
        if (random_values(kz_fuzz_e2sm_types[i], T_E2SM, (int)i, N_RANDOM_E2SM_PER_TYPE, 0,
                          0xe25e00 + i, &a))
            return 1;
    if (nrt_messages(&a))
        return 1;
    printf("gen_corpus: %u fuzz_e2ap, %u fuzz_e2sm, %u fuzz_json seeds in %s\n", written[T_E2AP],
           written[T_E2SM], written[T_JSON], out_dir);
    return 0;
}
