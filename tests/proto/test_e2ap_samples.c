/*
 * test_e2ap_samples.c -- every sample PDU in ../shared/spec/samples/ through our codec and the
 * independent oracle.
 *
 * Why: the samples were written by the oracle from hand-written values, so they are bytes that
 * another APER codec produced.  Each one must decode here, re-encode to the very same bytes,
 * print the JSON the oracle prints for it, and come back from that JSON to the same bytes.
 * The E2SM payload samples (kpm-*.hex, rc-*.hex) are checked with their own top-level types;
 * a sample says its set and type in its '#' line ("(asn1-oracle decode kpm TYPE -)").
 *
 * Skips (exit 77) when ../shared is absent.  When only the oracle (or Erlang's escript) is
 * absent, the byte-level checks still run, and the program then exits 77 with the reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>
#include <jansson.h>
#include <sys/stat.h>

#include "kizuna/asn.h"
#include "kizuna/asn_json.h"
#include "kizuna/e2ap.h"
#include "kizuna/e2sm_kpm_types.h"
#include "kizuna/e2sm_rc_types.h"
#include "test_util.h"

#define SAMPLES_DIR KZ_SHARED_DIR "/spec/samples"
#define MAX_SAMPLES 64

/* ---- the top-level types a sample may name -------------------------------------------------- */

typedef struct named_type {
    const char *set, *name;
    const kz_asn_type *desc;
} named_type;

static const named_type types[] = {
    { "e2ap", "E2AP-PDU", &kz_e2ap_E2AP_PDU_desc },
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

static const named_type *find_type(const char *set, const char *name)
{
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (!strcmp(types[i].set, set) && !strcmp(types[i].name, name))
            return &types[i];
    return NULL;
}

/* ---- the samples ---------------------------------------------------------------------------- */

typedef struct sample {
    char file[128];
    char set[8];
    char type[64];
    const kz_asn_type *desc;
    char *hex;          /* as in the file (lower case, no spaces) */
    uint8_t *bytes;
    size_t len;
} sample;

static sample samples[MAX_SAMPLES];
static size_t n_samples;
static bool oracle_ok;
static char oracle_reason[256];

static uint8_t arena_mem[4 << 20];
static uint8_t enc_buf[1 << 20];

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads one sample: a '#' line ending in "(asn1-oracle decode SET TYPE -)", then one hex line. */
static void load_sample(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", SAMPLES_DIR, name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    assert_true(n_samples < MAX_SAMPLES);
    sample *s = &samples[n_samples++];
    memset(s, 0, sizeof *s);
    snprintf(s->file, sizeof s->file, "%s", name);
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    while ((got = getline(&line, &cap, f)) > 0) {
        while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r' || line[got - 1] == ' '))
            line[--got] = 0;
        if (!got)
            continue;
        if (line[0] == '#') {
            const char *how = strstr(line, "(asn1-oracle decode ");
            if (how && sscanf(how, "(asn1-oracle decode %7s %63s", s->set, s->type) != 2)
                s->set[0] = 0;
            continue;
        }
        assert_null(s->hex);   /* one PDU per file */
        s->hex = strdup(line);
    }
    free(line);
    fclose(f);
    if (!s->hex || !s->set[0])
        fail_msg("%s: no hex line or no '(asn1-oracle decode SET TYPE -)' comment", name);
    const named_type *nt = find_type(s->set, s->type);
    if (!nt)
        fail_msg("%s: type %s %s is not one this test knows: add it to types[]", name, s->set, s->type);
    s->desc = nt->desc;
    size_t n = strlen(s->hex);
    if (n % 2)
        fail_msg("%s: odd number of hex digits", name);
    s->len = n / 2;
    s->bytes = malloc(s->len + 1);
    assert_non_null(s->bytes);
    for (size_t i = 0; i < s->len; i++) {
        int hi = hexval(s->hex[2 * i]), lo = hexval(s->hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            fail_msg("%s: bad hex digit at %zu", name, 2 * i);
        s->bytes[i] = (uint8_t)(hi << 4 | lo);
        s->hex[2 * i] = (char)"0123456789abcdef"[hi];
        s->hex[2 * i + 1] = (char)"0123456789abcdef"[lo];
    }
}

static int load_all(void **state)
{
    (void)state;
    DIR *d = opendir(SAMPLES_DIR);
    if (!d)
        return -1;
    char *names[MAX_SAMPLES];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l > 4 && !strcmp(e->d_name + l - 4, ".hex") && n < MAX_SAMPLES)
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof names[0], cmp_name);
    for (size_t i = 0; i < n; i++) {
        load_sample(names[i]);
        free(names[i]);
    }
    return 0;
}

static int free_all(void **state)
{
    (void)state;
    for (size_t i = 0; i < n_samples; i++) {
        free(samples[i].hex);
        free(samples[i].bytes);
    }
    n_samples = 0;
    return 0;
}

/* ---- the tests ------------------------------------------------------------------------------ */

static void print_diag(const char *what, const char *file, const kz_asn_diag *diag)
{
    char buf[512];
    fprintf(stderr, "%s: %s: %s\n", file, what, kz_asn_diag_format(diag, buf, sizeof buf));
}

/* Decode -> encode gives back the sample's bytes, and decode is exact (no diag IEs). */
static void test_decode_reencode(void **state)
{
    (void)state;
    assert_true(n_samples >= 1);
    kz_arena a;
    for (size_t i = 0; i < n_samples; i++) {
        sample *s = &samples[i];
        kz_arena_init(&a, arena_mem, sizeof arena_mem);
        kz_asn_diag diag;
        kz_asn_diag_init(&diag);
        void *v = NULL;
        int rc = kz_asn_decode(s->desc, s->bytes, s->len, &a, &v, &diag);
        if (rc)
            print_diag("decode", s->file, &diag);
        assert_int_equal(rc, 0);
        assert_int_equal(diag.n_ies, 0);
        kz_asn_diag_init(&diag);
        long n = kz_asn_encode(s->desc, v, enc_buf, sizeof enc_buf, &diag);
        if (n < 0)
            print_diag("encode", s->file, &diag);
        assert_true(n > 0);
        if ((size_t)n != s->len || memcmp(enc_buf, s->bytes, s->len)) {
            char *ours = to_hex(enc_buf, (size_t)n);
            fprintf(stderr, "%s: re-encoding differs\n  sample %s\n  ours   %s\n", s->file, s->hex, ours);
            free(ours);
            fail();
        }
        printf("  %-36s %-34s %5zu bytes: decode/encode ok\n", s->file, s->type, s->len);
    }
}

/* Our JSON -> value -> APER gives the sample's bytes, and the value equals the decoded one. */
static void test_json_roundtrip(void **state)
{
    (void)state;
    kz_arena a;
    for (size_t i = 0; i < n_samples; i++) {
        sample *s = &samples[i];
        kz_arena_init(&a, arena_mem, sizeof arena_mem);
        void *v = NULL, *w = NULL;
        kz_asn_diag diag;
        kz_asn_diag_init(&diag);
        assert_int_equal(kz_asn_decode(s->desc, s->bytes, s->len, &a, &v, &diag), 0);
        json_t *j = kz_asn_to_json(s->desc, v);
        assert_non_null(j);
        kz_asn_diag_init(&diag);
        int rc = kz_asn_from_json(s->desc, j, &a, &w, &diag);
        if (rc)
            print_diag("from_json", s->file, &diag);
        assert_int_equal(rc, 0);
        assert_true(kz_asn_equal(s->desc, v, w));
        long n = kz_asn_encode(s->desc, w, enc_buf, sizeof enc_buf, NULL);
        assert_int_equal(n, (long)s->len);
        assert_memory_equal(enc_buf, s->bytes, s->len);
        json_decref(j);
    }
}

/* The oracle decodes every sample to the JSON we print, and round-trips it byte-exact. */
static void test_oracle_json(void **state)
{
    (void)state;
    if (!oracle_ok) {
        fprintf(stderr, "oracle comparison skipped: %s\n", oracle_reason);
        skip();
    }
    static const char *const sets[] = { "e2ap", "kpm", "rc" };
    kz_arena a;
    size_t compared = 0;
    for (size_t si = 0; si < 3; si++) {
        /* one batch per set, lines "TYPE HEX" */
        size_t cap = 1, len = 0, idx[MAX_SAMPLES], n = 0;
        for (size_t i = 0; i < n_samples; i++)
            if (!strcmp(samples[i].set, sets[si]))
                cap += strlen(samples[i].type) + strlen(samples[i].hex) + 2;
        char *input = malloc(cap);
        assert_non_null(input);
        input[0] = 0;
        for (size_t i = 0; i < n_samples; i++) {
            if (strcmp(samples[i].set, sets[si]))
                continue;
            len += (size_t)snprintf(input + len, cap - len, "%s %s\n", samples[i].type, samples[i].hex);
            idx[n++] = i;
        }
        if (!n) {
            free(input);
            continue;
        }
        int status = -1;
        char *rt = oracle_batch("roundtrip", sets[si], "-", input, len, &status);
        assert_non_null(rt);
        char *save = NULL, *line = strtok_r(rt, "\n", &save);
        for (size_t k = 0; k < n; k++, line = strtok_r(NULL, "\n", &save)) {
            assert_non_null(line);
            if (strcmp(line, "OK"))
                fail_msg("%s: oracle roundtrip: %s", samples[idx[k]].file, line);
        }
        assert_int_equal(status, 0);
        free(rt);

        char *dec = oracle_batch("decode", sets[si], "-", input, len, &status);
        assert_non_null(dec);
        assert_int_equal(status, 0);
        save = NULL;
        line = strtok_r(dec, "\n", &save);
        for (size_t k = 0; k < n; k++, line = strtok_r(NULL, "\n", &save)) {
            sample *s = &samples[idx[k]];
            assert_non_null(line);
            json_error_t je;
            json_t *theirs = json_loads(line, JSON_DECODE_ANY, &je);
            if (!theirs)
                fail_msg("%s: oracle printed no JSON: %.200s", s->file, line);
            kz_arena_init(&a, arena_mem, sizeof arena_mem);
            void *v = NULL;
            assert_int_equal(kz_asn_decode(s->desc, s->bytes, s->len, &a, &v, NULL), 0);
            json_t *ours = kz_asn_to_json(s->desc, v);
            assert_non_null(ours);
            if (!json_equal(ours, theirs)) {
                char *x = json_dumps(ours, JSON_SORT_KEYS | JSON_ENCODE_ANY);
                char *y = json_dumps(theirs, JSON_SORT_KEYS | JSON_ENCODE_ANY);
                fprintf(stderr, "%s: JSON differs\n  ours   %s\n  oracle %s\n", s->file, x, y);
                free(x);
                free(y);
                fail();
            }
            /* and the oracle's JSON, read by us, encodes to the sample's bytes */
            void *w = NULL;
            kz_asn_diag diag;
            kz_asn_diag_init(&diag);
            int rc = kz_asn_from_json(s->desc, theirs, &a, &w, &diag);
            if (rc)
                print_diag("from_json(oracle JSON)", s->file, &diag);
            assert_int_equal(rc, 0);
            long nb = kz_asn_encode(s->desc, w, enc_buf, sizeof enc_buf, NULL);
            assert_int_equal(nb, (long)s->len);
            assert_memory_equal(enc_buf, s->bytes, s->len);
            json_decref(ours);
            json_decref(theirs);
            compared++;
        }
        free(dec);
        free(input);
    }
    printf("  %zu samples: oracle roundtrip OK and JSON equal\n", compared);
    assert_int_equal(compared, n_samples);
}

int main(void)
{
    struct stat st;
    if (stat(SAMPLES_DIR, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "test_e2ap_samples: skipped: %s is absent (no ../shared beside the checkout)\n",
                SAMPLES_DIR);
        return 77;
    }
    oracle_ok = oracle_present(oracle_reason, sizeof oracle_reason);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_reencode),
        cmocka_unit_test(test_json_roundtrip),
        cmocka_unit_test(test_oracle_json),
    };
    int failed = cmocka_run_group_tests(tests, load_all, free_all);
    if (!failed && !oracle_ok) {
        fprintf(stderr, "test_e2ap_samples: skipped (partly): %s\n", oracle_reason);
        return 77;
    }
    return failed;
}
