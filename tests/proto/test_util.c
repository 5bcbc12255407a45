/*
 * test_util.c -- shared helpers of the codec tests: a growable string, hex, the environment and
 * the clock; finding and running the independent oracle (../shared/tools/asn1-oracle) in batch
 * mode, and a queue of encodings checked against it; coverage counted from generated values.
 * What each does and who frees what: test_util.h.
 *
 * The oracle runs through posix_spawn with its stdin and stdout in temp files, never through a
 * shell: the input of a property run is megabytes of hex, and nothing in it is ever a command.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <fcntl.h>
#include <jansson.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kizuna/asn_json.h"
#include "proto/asn_internal.h"
#include "test_util.h"

extern char **environ;

/* ---- a growable string, small things -------------------------------------------------------- */

static void sb_reserve(sbuf *s, size_t more)
{
    if (s->len + more + 1 <= s->cap)
        return;
    size_t cap = s->cap ? s->cap : 1 << 16;
    while (cap < s->len + more + 1)
        cap *= 2;
    s->p = realloc(s->p, cap);
    assert_non_null(s->p);
    s->cap = cap;
}

void sb_hex(sbuf *s, const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    sb_reserve(s, 2 * n);
    for (size_t i = 0; i < n; i++) {
        s->p[s->len++] = digits[p[i] >> 4];
        s->p[s->len++] = digits[p[i] & 15];
    }
    s->p[s->len] = 0;
}

void sb_str(sbuf *s, const char *str)
{
    size_t n = strlen(str);
    sb_reserve(s, n);
    memcpy(s->p + s->len, str, n + 1);
    s->len += n;
}

uint64_t env_u64(const char *name, uint64_t dflt)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return dflt;
    char *end;
    unsigned long long x = strtoull(v, &end, 0);
    return *end ? dflt : (uint64_t)x;
}

double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

char *to_hex(const uint8_t *p, size_t n)
{
    char *s = malloc(2 * n + 1);
    assert_non_null(s);
    for (size_t i = 0; i < n; i++)
        snprintf(s + 2 * i, 3, "%02x", p[i]);
    s[2 * n] = 0;
    return s;
}

size_t from_hex(const char *h, uint8_t *out, size_t cap)
{
    size_t n = 0;
    for (; h[0] && h[1] && n < cap; h += 2) {
        unsigned v;
        if (sscanf(h, "%2x", &v) != 1)
            break;
        out[n++] = (uint8_t)v;
    }
    return n;
}

/* ---- the shared samples (../shared/spec/samples) ---------------------------------------- */

size_t read_sample(const char *name, uint8_t *out, size_t cap)
{
    char path[512], line[8192];
    snprintf(path, sizeof path, SAMPLES "%s", name);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = 0;
    while (fgets(line, sizeof line, f))
        if (line[0] != '#' && line[0] != '\n')
            n = from_hex(line, out, cap);
    fclose(f);
    return n;
}

bool oct_eq(kz_octets o, const char *s)
{
    return o.len == strlen(s) && memcmp(o.buf, s, o.len) == 0;
}

/* ---- the oracle ----------------------------------------------------------------------------- */

static bool in_path(const char *prog)
{
    const char *p = getenv("PATH");
    if (!p)
        return false;
    char *copy = strdup(p), *save = NULL;
    bool found = false;
    for (char *dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
        char full[1024];
        snprintf(full, sizeof full, "%s/%s", *dir ? dir : ".", prog);
        found = access(full, X_OK) == 0;
    }
    free(copy);
    return found;
}

bool oracle_present(char *why, size_t cap)
{
    if (access(ORACLE, X_OK) != 0) {
        snprintf(why, cap, "%s is absent or not executable", ORACLE);
        return false;
    }
    if (!in_path("escript")) {
        snprintf(why, cap, "escript (Erlang) is not in PATH: apt-get install erlang-base erlang-asn1");
        return false;
    }
    return true;
}

static char *read_fd_all(int fd)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return NULL;
    char *p = malloc((size_t)st.st_size + 1);
    if (!p)
        return NULL;
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t r = pread(fd, p + got, (size_t)st.st_size - got, (off_t)got);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    p[got] = 0;
    return p;
}

char *oracle_batch(const char *cmd, const char *set, const char *type, const char *input,
                   size_t inlen, int *status)
{
    const char *tmp = getenv("TMPDIR");
    char inpath[512], outpath[512];
    snprintf(inpath, sizeof inpath, "%s/kz-oracle-in-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    snprintf(outpath, sizeof outpath, "%s/kz-oracle-out-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    int in = mkstemp(inpath);
    if (in < 0)
        return NULL;
    int out = mkstemp(outpath);
    if (out < 0) {
        close(in);
        unlink(inpath);
        return NULL;
    }
    size_t done = 0;
    while (done < inlen) {
        ssize_t w = write(in, input + done, inlen - done);
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    char *result = NULL;
    if (done == inlen && lseek(in, 0, SEEK_SET) == 0) {
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, in, 0);
        posix_spawn_file_actions_adddup2(&fa, out, 1);
        char *argv[] = { (char *)ORACLE, (char *)"--batch", (char *)cmd, (char *)set, (char *)type, NULL };
        pid_t pid;
        if (posix_spawn(&pid, ORACLE, &fa, NULL, argv, environ) == 0) {
            int ws = 0;
            while (waitpid(pid, &ws, 0) < 0)
                ;
            *status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128;
            result = read_fd_all(out);
        }
        posix_spawn_file_actions_destroy(&fa);
    }
    close(in);
    close(out);
    unlink(inpath);
    unlink(outpath);
    return result;
}

/* ---- the oracle queue ----------------------------------------------------------------------- */

#define MAX_Q 64
static struct {
    const char *asn_name;          /* oracle type name */
    const kz_asn_type *t;
    char *hex;
} q[MAX_Q];
static int nq;

void oracle_queue(const char *asn_name, const kz_asn_type *t, const uint8_t *p, size_t n)
{
    assert_true(nq < MAX_Q);
    q[nq].asn_name = asn_name;
    q[nq].t = t;
    q[nq].hex = to_hex(p, n);
    nq++;
}

void oracle_queue_free(void)
{
    for (int i = 0; i < nq; i++)
        free(q[i].hex);
    nq = 0;
}

/* Run `asn1-oracle --batch CMD SET -` over the queue ('TYPE HEX' lines); returns the output. */
static char *oracle_run(const char *cmd, const char *set)
{
    sbuf in = { 0 };
    for (int i = 0; i < nq; i++) {
        sb_str(&in, q[i].asn_name);
        sb_str(&in, " ");
        sb_str(&in, q[i].hex);
        sb_str(&in, "\n");
    }
    int st = -1;
    char *text = oracle_batch(cmd, set, "-", in.p, in.len, &st);
    free(in.p);
    assert_non_null(text);
    if (st != 0)
        fprintf(stderr, "oracle %s:\n%s\n", cmd, text);
    assert_int_equal(st, 0);
    return text;
}

void oracle_check_queue(const char *set, kz_arena *arena)
{
    /* byte-exact round trips */
    char *rt = oracle_run("roundtrip", set);
    int lines = 0;
    for (char *l = strtok(rt, "\n"); l; l = strtok(NULL, "\n"), lines++)
        assert_true(strncmp(l, "OK", 2) == 0);
    assert_int_equal(lines, nq);
    free(rt);
    /* the oracle's reading equals ours, as JSON */
    char *js = oracle_run("decode", set);
    char *save = NULL;
    int i = 0;
    for (char *l = strtok_r(js, "\n", &save); l; l = strtok_r(NULL, "\n", &save), i++) {
        assert_true(i < nq);
        json_error_t je;
        json_t *theirs = json_loads(l, 0, &je);
        assert_non_null(theirs);
        uint8_t *bytes = malloc(strlen(q[i].hex) / 2 + 1);
        size_t n = from_hex(q[i].hex, bytes, strlen(q[i].hex) / 2);
        void *v;
        kz_arena_reset(arena);
        assert_int_equal(kz_asn_decode(q[i].t, bytes, n, arena, &v, NULL), 0);
        json_t *ours = kz_asn_to_json(q[i].t, v);
        if (!json_equal(ours, theirs)) {
            char *a = json_dumps(ours, JSON_SORT_KEYS), *b = json_dumps(theirs, JSON_SORT_KEYS);
            fprintf(stderr, "%s differs:\n ours   %s\n oracle %s\n", q[i].asn_name, a, b);
            free(a);
            free(b);
            fail();
        }
        json_decref(ours);
        json_decref(theirs);
        free(bytes);
    }
    assert_int_equal(i, nq);
    free(js);
}

/* ---- coverage, counted from the generated values -------------------------------------------- */

#define COV_SLOTS 4096
static cov_entry cov[COV_SLOTS];

cov_entry *cov_get(const kz_asn_type *t)
{
    size_t h = ((uintptr_t)t >> 3) % COV_SLOTS;
    while (cov[h].t && cov[h].t != t)
        h = (h + 1) % COV_SLOTS;
    if (!cov[h].t) {
        cov[h].t = t;
        cov[h].present = calloc(t->n + 1u, sizeof(uint32_t));
        cov[h].absent = calloc(t->n + 1u, sizeof(uint32_t));
        assert_true(cov[h].present && cov[h].absent);
    }
    return &cov[h];
}

void cov_reset(void)
{
    for (size_t i = 0; i < COV_SLOTS; i++) {
        free(cov[i].present);
        free(cov[i].absent);
    }
    memset(cov, 0, sizeof cov);
}

bool flag_of(const void *base, uint32_t off)
{
    return off == KZ_ASN_NO_FLAG || *(const bool *)((const char *)base + off);
}

static void cov_field(const kz_asn_type *t, const void *base, uint32_t off, uint32_t flags)
{
    const void *v = (const char *)base + off;
    if (flags & KZ_ASN_F_PTR)
        v = *(const void *const *)v;
    if (v)
        cov_walk(t, v);
}

void cov_walk(const kz_asn_type *t, const void *v)
{
    switch (t->kind) {
    case KZ_ASN_SEQ: {
        cov_entry *c = cov_get(t);
        for (unsigned i = 0; i < t->n; i++) {
            const kz_asn_field *f = &t->fields[i];
            bool on = flag_of(v, f->has_offset);
            if (f->has_offset != KZ_ASN_NO_FLAG)
                (on ? c->present : c->absent)[i]++;
            if (on)
                cov_field(f->type, v, f->offset, f->flags);
        }
        break;
    }
    case KZ_ASN_SEQOF: {
        const kz_asn_seqof *s = v;
        for (uint32_t i = 0; i < s->count; i++)
            cov_walk(t->elem, (const char *)s->items + (size_t)i * t->elem->size);
        break;
    }
    case KZ_ASN_CHOICE: {
        uint32_t p = *(const uint32_t *)v;
        if (p >= 1 && p <= t->n) {
            cov_get(t)->present[p - 1]++;
            cov_field(t->fields[p - 1].type, v, t->fields[p - 1].offset, t->fields[p - 1].flags);
        }
        break;
    }
    case KZ_ASN_ALIAS:
        cov_walk(t->elem, v);
        break;
    case KZ_ASN_IES:
    case KZ_ASN_IESINGLE: {
        cov_entry *c = cov_get(t);
        for (unsigned i = 0; i < t->n; i++) {
            const kz_asn_ie *ie = &t->ies[i];
            bool on = flag_of(v, ie->has_offset);
            if (ie->has_offset != KZ_ASN_NO_FLAG)
                (on ? c->present : c->absent)[i]++;
            if (on)
                cov_field(ie->type, v, ie->offset, ie->flags);
        }
        break;
    }
    case KZ_ASN_PROCMSG: {
        uint32_t p = *(const uint32_t *)v;
        if (p >= 1 && p <= t->n) {
            cov_get(t)->present[p - 1]++;
            cov_walk(t->ies[p - 1].type, (const char *)v + t->ies[p - 1].offset);
        }
        break;
    }
    default:
        break;
    }
}

const cov_entry *cov_find(const kz_asn_type *t)
{
    size_t h = ((uintptr_t)t >> 3) % COV_SLOTS;
    while (cov[h].t && cov[h].t != t)
        h = (h + 1) % COV_SLOTS;
    return cov[h].t ? &cov[h] : NULL;
}

void report_nested_coverage(unsigned *alts, unsigned *alts_missed, unsigned *opts,
                            unsigned *opts_missed)
{
    for (size_t h = 0; h < COV_SLOTS; h++) {
        const kz_asn_type *t = cov[h].t;
        if (!t)
            continue;
        for (unsigned i = 0; i < t->n; i++) {
            if (t->kind == KZ_ASN_CHOICE || t->kind == KZ_ASN_PROCMSG) {
                (*alts)++;
                if (!cov[h].present[i]) {
                    (*alts_missed)++;
                    fprintf(stderr, "coverage: %s alternative %s never chosen\n", t->name,
                            t->kind == KZ_ASN_CHOICE ? t->fields[i].name : t->ies[i].name);
                }
            } else if (t->kind == KZ_ASN_SEQ && t->fields[i].has_offset != KZ_ASN_NO_FLAG) {
                (*opts)++;
                if (!cov[h].present[i] || !cov[h].absent[i]) {
                    (*opts_missed)++;
                    fprintf(stderr, "coverage: %s.%s present %u, absent %u\n", t->name,
                            t->fields[i].name, cov[h].present[i], cov[h].absent[i]);
                }
            }
        }
    }
}
