/*
 * bench_e2ap.c -- `make bench` for the E2AP codec: what one encode and one decode of the five
 * reference PDUs of issue 2 cost, beside the asn1c (FlexRIC) figures for the same messages.
 *
 * Why this shape: wall-clock nanoseconds depend on the machine and its load, so the figure we
 * compare with asn1c is the instruction count under valgrind's callgrind, which is the same
 * from run to run; nanoseconds are printed too, for a feel of the speed.  Heap allocations are
 * counted by wrapping malloc & co. in this binary: the codec promises none.
 *
 * Three tables:
 *   - the E2AP layer (issue 2): the E2SM payloads (KPM / RC) are encoded once, before the clock
 *     starts, and travel as octet strings, as they do through the RIC;
 *   - the full cost (issue 3): the same PDUs with every E2SM payload encoded from its typed
 *     value, or decoded into the arena, as well (bench_e2ap_full.c);
 *   - the KPM iterator: (UE, metric, timestamp, value) tuples out of a decoded format 3
 *     indication of 200 UEs x 8 metrics, per value.
 *
 *   bench_e2ap                          the whole report (runs valgrind on itself)
 *   bench_e2ap --hex                    "P1 <hex>" per PDU, to check with asn1-oracle
 *   bench_e2ap --callgrind P3 OP N      exactly N operations OP (encode, decode, full-encode,
 *                                       full-decode) of P3, nothing printed
 *   bench_e2ap --callgrind KPM iterate N   N passes of the iterator over the format 3 message
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kizuna/e2sm_kpm.h"

#include "bench_e2ap_pdus.h"

#ifndef KZ_BENCH_BUILD_TYPE
#define KZ_BENCH_BUILD_TYPE "?"
#endif

extern char **environ;

/* ---- heap call counting -------------------------------------------------------------------
 * malloc, calloc, realloc and free are defined here and forward to glibc's own entry points,
 * so every heap call the process makes (ours, the codec's, libc's) bumps one counter.  Under
 * AddressSanitizer the sanitizer owns malloc, so the count is not available there. */
#if defined(__SANITIZE_ADDRESS__)
#define KZ_BENCH_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KZ_BENCH_ASAN 1
#endif
#endif

#ifndef KZ_BENCH_ASAN
#define KZ_BENCH_COUNTS_HEAP 1
static unsigned long heap_calls;   /* process-wide by nature: the wrappers have no context */

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);

void *malloc(size_t n)
{
    heap_calls++;
    return __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
    heap_calls++;
    return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
    heap_calls++;
    return __libc_realloc(p, n);
}

void free(void *p)
{
    heap_calls++;
    __libc_free(p);
}
#else
#define KZ_BENCH_COUNTS_HEAP 0
static unsigned long heap_calls;
#endif

/* ---- the asn1c reference (issue 2): FlexRIC's asn1c-generated APER code, Release build,
 * E2AP layer, instructions per encode / decode; "dozens of mallocs each". */
static const struct { double enc, dec; } asn1c_ref[KZ_BENCH_NPDUS] = {
    { 100800, 86500 }, { 37500, 33900 }, { 37100, 35000 }, { 579500, 442300 }, { 22400, 22300 },
};
/* Issue 3: the same PDUs with their E2SM payloads (KPM / RC) encoded / decoded as well,
 * instructions per full encode / decode, same code and build. */
static const struct { double enc, dec; } asn1c_full_ref[KZ_BENCH_NPDUS] = {
    { 198400, 211700 }, { 114000, 120200 }, { 129100, 137000 }, { 4223400, 4701400 },
    { 50900, 50300 },
};
#define TARGET_RATIO 0.10

enum { OP_ENCODE = 0, OP_DECODE = 1, OP_FULL_ENCODE = 2, OP_FULL_DECODE = 3, OP_KPM_ITER = 4,
       N_OPS = 5 };
static const char *const op_name[N_OPS] = { "encode", "decode", "full-encode", "full-decode",
                                            "iterate" };

/* The KPM iterator's input (issue 3, point 4) and what one pass over it must yield. */
#define KPM_UES 200
#define KPM_METRICS 8
static struct {
    const kz_kpm_E2SM_KPM_IndicationHeader *hdr;
    const kz_kpm_E2SM_KPM_IndicationMessage *msg;
    unsigned long values;        /* per pass: KPM_UES * KPM_METRICS */
    int64_t checksum;            /* of one pass, to check every pass */
} kpm;
#define KPM_PER_VALUE_TARGET 50.0

#define ENC_CAP 65536

/* Everything one PDU needs to be encoded and decoded over and over. */
typedef struct bench_case {
    const kz_bench_pdu *p;
    const uint8_t *wire;    /* its encoding */
    size_t len;
    uint8_t *out;           /* encode target, ENC_CAP octets */
    kz_arena arena;         /* decode target, reset before each decode */
    kz_bench_full full;     /* full encode: the PDU (a second copy) with typed E2SM payloads */
    kz_arena full_arena;    /* full decode target: the PDU and its payloads */
} bench_case;

/* One pass of the KPM iterator over the whole message; returns a checksum of what it saw. */
__attribute__((noinline)) static int64_t kpm_pass(unsigned long *count)
{
    kz_kpm_iter it;
    kz_kpm_sample s;
    kz_kpm_iter_opts o = { .ts_reading = KZ_KPM_TS_NTP };
    int64_t sum = 0;
    unsigned long n = 0;
    if (kz_kpm_iter_init(&it, kpm.hdr, kpm.msg, &o))
        return -1;
    while (kz_kpm_iter_next(&it, &s)) {
        /* a consumer that reads the tuple: UE, metric, time, value (v.i: the value's bits) */
        sum += (int64_t)(uintptr_t)s.ue ^ (int64_t)s.name.len ^ s.ts_ns ^ s.v.i;
        n++;
    }
    *count = n;
    return sum;
}

/* n operations; returns the number that failed (0 expected).  noinline: one frame per batch,
 * so that the loop itself is what callgrind and the clock see. */
__attribute__((noinline)) static unsigned long run_ops(bench_case *c, int op, unsigned long n)
{
    unsigned long bad = 0;
    if (op == OP_ENCODE) {
        for (unsigned long i = 0; i < n; i++)
            bad += kz_e2ap_encode(&c->p->pdu, c->out, ENC_CAP, NULL) != (long)c->len;
    } else if (op == OP_FULL_ENCODE) {
        for (unsigned long i = 0; i < n; i++)
            bad += kz_bench_full_encode(&c->full, c->out, ENC_CAP) != (long)c->len;
    } else if (op == OP_FULL_DECODE) {
        kz_bench_decoded d;
        for (unsigned long i = 0; i < n; i++) {
            kz_arena_reset(&c->full_arena);
            bad += kz_bench_full_decode(c->wire, c->len, &c->full_arena, &d) != 0;
        }
    } else if (op == OP_KPM_ITER) {
        for (unsigned long i = 0; i < n; i++) {
            unsigned long cnt;
            bad += kpm_pass(&cnt) != kpm.checksum || cnt != kpm.values;
        }
    } else {
        kz_asn_diag diag;
        kz_e2ap_pdu *pdu;
        for (unsigned long i = 0; i < n; i++) {
            kz_arena_reset(&c->arena);
            kz_asn_diag_init(&diag);   /* as the RIC does before each decode */
            bad += kz_e2ap_decode(c->wire, c->len, &c->arena, &pdu, &diag) != 0;
        }
    }
    return bad;
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

#define BATCHES 15
#define BATCH_MIN_NS 3e6

typedef struct timing {
    double ns_per_op;          /* median over the batches */
    unsigned long ops;         /* all timed operations */
    unsigned long heap_calls;  /* during them */
    unsigned long failed;
} timing;

static timing time_op(bench_case *c, int op)
{
    timing t = { 0 };
    unsigned long n = 1;
    for (;;) {   /* warm up and size a batch to last at least BATCH_MIN_NS */
        double t0 = now_ns();
        t.failed += run_ops(c, op, n);
        if (now_ns() - t0 >= BATCH_MIN_NS || n >= (1ul << 30))
            break;
        n *= 2;
    }
    double per_op[BATCHES];
    unsigned long heap0 = heap_calls;
    for (int b = 0; b < BATCHES; b++) {
        double t0 = now_ns();
        t.failed += run_ops(c, op, n);
        per_op[b] = (now_ns() - t0) / (double)n;
    }
    t.heap_calls = heap_calls - heap0;
    t.ops = n * BATCHES;
    qsort(per_op, BATCHES, sizeof per_op[0], cmp_double);
    t.ns_per_op = per_op[BATCHES / 2];
    return t;
}

/* ---- instruction counts with callgrind ----------------------------------------------------- */

static int run_quiet(char *const argv[])
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        return -1;
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static bool have_valgrind(void)
{
    char *argv[] = { "valgrind", "--version", NULL };
    return run_quiet(argv) == 0;
}

/* Total instructions (Ir) of one `bench_e2ap --callgrind NAME OP N` run, or -1.  only: NULL,
 * or a function whose instructions alone are counted (callgrind --toggle-collect: inside it
 * and what it calls). */
static double callgrind_total(const char *self, const char *name, int op, unsigned long n,
                              const char *only)
{
    char out[128], nbuf[32], outarg[160], toggle[160];
    snprintf(out, sizeof out, "/tmp/kz-bench-callgrind.%ld.out", (long)getpid());
    snprintf(outarg, sizeof outarg, "--callgrind-out-file=%s", out);
    snprintf(nbuf, sizeof nbuf, "%lu", n);
    snprintf(toggle, sizeof toggle, "--toggle-collect=%s", only ? only : "");
    char *argv[] = { "valgrind", "--tool=callgrind", outarg, only ? toggle : (char *)self,
                     (char *)self, "--callgrind", (char *)name, (char *)op_name[op], nbuf, NULL };
    if (!only)   /* drop the toggle slot */
        for (int i = 3; argv[i]; i++)
            argv[i] = argv[i + 1];
    if (run_quiet(argv) != 0)
        return -1;
    FILE *f = fopen(out, "r");
    if (!f)
        return -1;
    double total = -1;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "summary:", 8) || !strncmp(line, "totals:", 7)) {
            total = strtod(strchr(line, ':') + 1, NULL);
            break;
        }
    }
    fclose(f);
    unlink(out);
    return total;
}

#define CG_N1 1000
#define CG_N2 2000

/* Instructions per operation: the difference of two runs cancels start-up and set-up. */
static double instructions_per_op(const char *self, const char *name, int op, const char *only)
{
    double a = callgrind_total(self, name, op, CG_N1, only);
    double b = callgrind_total(self, name, op, CG_N2, only);
    if (a < 0 || b < 0)
        return -1;
    return (b - a) / (CG_N2 - CG_N1);
}

/* ---- set-up shared by every mode --------------------------------------------------------- */

typedef struct bench {
    kz_bench_pdu pdus[KZ_BENCH_NPDUS];
    kz_bench_pdu full_pdus[KZ_BENCH_NPDUS];   /* a second copy, for the full encode */
    bench_case cases[KZ_BENCH_NPDUS];
} bench;

#define FULL_SCRATCH 65536
#define FULL_ARENA (2u << 20)

/* The full-cost set-up of case c: typed payloads, and one full encode and decode checked. */
static int setup_full(bench_case *c, kz_bench_pdu *copy, kz_arena *typed)
{
    uint8_t *scratch = malloc(FULL_SCRATCH);
    kz_arena_init(&c->full_arena, malloc(FULL_ARENA), FULL_ARENA);
    if (!scratch || !c->full_arena.base)
        return KZ_ENOMEM;
    int rc = kz_bench_full_init(&c->full, &copy->pdu, typed, scratch, FULL_SCRATCH);
    if (rc)
        return rc;
    if (c->full.slots.n != 2) {
        fprintf(stderr, "bench_e2ap: %s: found %u E2SM payloads, expected 2\n", c->p->name,
                c->full.slots.n);
        return KZ_EINVAL;
    }
    long n = kz_bench_full_encode(&c->full, c->out, ENC_CAP);
    if (n != (long)c->len || memcmp(c->out, c->wire, c->len)) {
        fprintf(stderr, "bench_e2ap: %s: the full encode differs from the E2AP-layer bytes\n",
                c->p->name);
        return n < 0 ? (int)n : KZ_EINVAL;
    }
    kz_bench_decoded d;
    rc = kz_bench_full_decode(c->wire, c->len, &c->full_arena, &d);
    if (rc || d.slots.n != c->full.slots.n) {
        fprintf(stderr, "bench_e2ap: %s: the full decode failed: %s\n", c->p->name,
                kz_strerror(rc ? rc : KZ_EINVAL));
        return rc ? rc : KZ_EINVAL;
    }
    for (unsigned i = 0; i < d.slots.n; i++)
        if (d.slots.type[i] != c->full.slots.type[i] ||
            !kz_asn_equal(d.slots.type[i], d.value[i], c->full.value[i])) {
            fprintf(stderr, "bench_e2ap: %s: E2SM payload %u decodes to another value\n",
                    c->p->name, i);
            return KZ_EINVAL;
        }
    return 0;
}

static int setup_kpm(void)
{
    static const size_t cap = 4u << 20;
    kz_arena a;
    kz_arena_init(&a, malloc(cap), cap);
    if (!a.base)
        return KZ_ENOMEM;
    int rc = kz_bench_kpm_f3(&a, KPM_UES, KPM_METRICS, &kpm.hdr, &kpm.msg);
    if (rc) {
        fprintf(stderr, "bench_e2ap: building the KPM format 3 message failed: %s\n",
                kz_strerror(rc));
        return rc;
    }
    unsigned long n;
    kpm.checksum = kpm_pass(&n);
    kpm.values = n;
    if (n != KPM_UES * KPM_METRICS) {
        fprintf(stderr, "bench_e2ap: the KPM iterator gave %lu values, expected %d\n", n,
                KPM_UES * KPM_METRICS);
        return KZ_EINVAL;
    }
    return 0;
}

static int setup(bench *b)
{
    static const size_t build_cap = 4u << 20;
    kz_arena build;
    kz_arena_init(&build, malloc(build_cap), build_cap);
    if (!build.base)
        return KZ_ENOMEM;
    int rc = kz_bench_pdus_build(&build, b->pdus);
    if (!rc)
        rc = kz_bench_pdus_build(&build, b->full_pdus);
    if (rc) {
        fprintf(stderr, "bench_e2ap: building the PDUs failed: %s\n", kz_strerror(rc));
        return rc;
    }
    for (int i = 0; i < KZ_BENCH_NPDUS; i++) {
        bench_case *c = &b->cases[i];
        c->p = &b->pdus[i];
        uint8_t *wire = malloc(ENC_CAP);
        c->out = malloc(ENC_CAP);
        if (!wire || !c->out)
            return KZ_ENOMEM;
        kz_asn_diag diag;
        kz_asn_diag_init(&diag);
        long n = kz_e2ap_encode(&c->p->pdu, wire, ENC_CAP, &diag);
        if (n < 0) {
            char msg[512];
            fprintf(stderr, "bench_e2ap: %s does not encode: %s\n", c->p->name,
                    kz_asn_diag_format(&diag, msg, sizeof msg));
            return (int)n;
        }
        c->wire = wire;
        c->len = (size_t)n;
        size_t acap = KZ_E2AP_ARENA_FOR(c->len);
        kz_arena_init(&c->arena, malloc(acap), acap);
        if (!c->arena.base)
            return KZ_ENOMEM;
        /* The codec must read back what it wrote, to the same value and the same bytes. */
        kz_e2ap_pdu *back;
        kz_asn_diag_init(&diag);
        rc = kz_e2ap_decode(c->wire, c->len, &c->arena, &back, &diag);
        if (rc || !kz_asn_equal(&kz_e2ap_E2AP_PDU_desc, back, &c->p->pdu) ||
            kz_e2ap_encode(back, c->out, ENC_CAP, NULL) != n || memcmp(c->out, c->wire, c->len)) {
            char msg[512];
            fprintf(stderr, "bench_e2ap: %s does not round-trip: %s\n", c->p->name,
                    rc ? kz_asn_diag_format(&diag, msg, sizeof msg) : "value or bytes differ");
            return rc ? rc : KZ_EINVAL;
        }
        if ((rc = setup_full(c, &b->full_pdus[i], &build)))
            return rc;
    }
    return setup_kpm();
}

static int find_case(const char *name)
{
    static const char *const names[KZ_BENCH_NPDUS] = { "P1", "P2", "P3", "P4", "P5" };
    for (int i = 0; i < KZ_BENCH_NPDUS; i++)
        if (!strcmp(name, names[i]))
            return i;
    return -1;
}

static void fmt_count(double v, char *buf, size_t cap)
{
    if (v < 0) {
        snprintf(buf, cap, "n/a");
        return;
    }
    unsigned long long x = (unsigned long long)(v + 0.5);
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%llu", x);
    size_t o = 0;
    for (int i = 0; i < n && o + 2 < cap; i++) {
        if (i && (n - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = 0;
}

/* The full-cost table (issue 3): E2AP + the E2SM payloads inside. */
static void report_full(bench *b, timing t[][4], double ir[][4], bool vg, int *missed, char *misses,
                        size_t cap, unsigned long *heap)
{
    printf("\nFull cost: E2AP + every E2SM payload inside (KPM / RC, kz_asn_encode / kz_asn_decode\n"
           "with the generated descriptors), same PDUs\n\n");
    printf("%-4s %6s | %9s %9s | %12s %12s | %11s %11s\n", "PDU", "bytes", "enc ns", "dec ns",
           "enc instr", "dec instr", "enc allocs", "dec allocs");
    *heap = 0;
    for (int i = 0; i < KZ_BENCH_NPDUS; i++) {
        char ie[32], id[32], ae[32] = "n/a", ad[32] = "n/a";
        fmt_count(vg ? ir[i][OP_FULL_ENCODE] : -1, ie, sizeof ie);
        fmt_count(vg ? ir[i][OP_FULL_DECODE] : -1, id, sizeof id);
        if (KZ_BENCH_COUNTS_HEAP) {
            const timing *e = &t[i][OP_FULL_ENCODE], *d = &t[i][OP_FULL_DECODE];
            snprintf(ae, sizeof ae, "%.2f", (double)e->heap_calls / (double)e->ops);
            snprintf(ad, sizeof ad, "%.2f", (double)d->heap_calls / (double)d->ops);
            *heap += e->heap_calls + d->heap_calls;
        }
        printf("%-4s %6zu | %9.0f %9.0f | %12s %12s | %11s %11s\n", b->pdus[i].name,
               b->cases[i].len, t[i][OP_FULL_ENCODE].ns_per_op, t[i][OP_FULL_DECODE].ns_per_op,
               ie, id, ae, ad);
    }
    printf("\nInstructions per full operation against asn1c (FlexRIC, E2AP + E2SM; issue 3).\n"
           "Target: ours/asn1c <= %.2f and 0 allocations.\n\n", TARGET_RATIO);
    printf("%-4s %11s | %12s %12s %7s\n", "PDU", "op", "ours", "asn1c", "ratio");
    *missed = 0;
    misses[0] = 0;
    for (int i = 0; i < KZ_BENCH_NPDUS; i++)
        for (int op = OP_FULL_ENCODE; op <= OP_FULL_DECODE; op++) {
            double ref = op == OP_FULL_ENCODE ? asn1c_full_ref[i].enc : asn1c_full_ref[i].dec;
            char o[32], r[32];
            fmt_count(vg ? ir[i][op] : -1, o, sizeof o);
            fmt_count(ref, r, sizeof r);
            if (vg && ir[i][op] >= 0) {
                double ratio = ir[i][op] / ref;
                bool ok = ratio <= TARGET_RATIO;
                printf("%-4s %11s | %12s %12s %7.3f   %s\n", b->pdus[i].name, op_name[op], o, r,
                       ratio, ok ? "meets 1/10" : "MISSES 1/10");
                if (!ok) {
                    (*missed)++;
                    size_t l = strlen(misses);
                    snprintf(misses + l, cap - l, "%s%s %s (%.3f)", l ? ", " : "",
                             b->pdus[i].name, op_name[op], ratio);
                }
            } else {
                printf("%-4s %11s | %12s %12s %7s   %s\n", b->pdus[i].name, op_name[op],
                       vg ? "failed" : "n/a", r, "-",
                       vg ? "(callgrind run failed)" : "(valgrind not installed)");
            }
        }
}

/* The KPM iterator line (issue 3, point 4). */
static void report_kpm(const timing *tk, double ir_per_value, double ir_loop, bool vg)
{
    char ir[32] = "n/a", irl[32] = "n/a";
    if (vg && ir_per_value >= 0)
        snprintf(ir, sizeof ir, "%.1f", ir_per_value);
    if (vg && ir_loop >= 0)
        snprintf(irl, sizeof irl, "%.1f", ir_loop);
    printf("\nKPM iterator: (UE, metric, timestamp, value) tuples out of a decoded format 3 indication,\n"
           "%d UEs x %d metrics, 1 period (%lu values per pass); per value\n\n",
           KPM_UES, KPM_METRICS, kpm.values);
    printf("%-34s | %9s | %8s | %7s\n", "", "ns", "instr", "allocs");
    printf("%-34s | %9s | %8s | %7s   target <= %.0f instr: %s\n", "kz_kpm_iter_next (inclusive)",
           "", ir, "", KPM_PER_VALUE_TARGET,
           !vg || ir_per_value < 0 ? "n/a" : ir_per_value <= KPM_PER_VALUE_TARGET ? "met" : "MISSED");
    printf("%-34s | %9.2f | %8s | %7s\n", "loop with a consumer reading it",
           tk->ns_per_op / (double)kpm.values, irl,
           KZ_BENCH_COUNTS_HEAP ? (tk->heap_calls ? "> 0" : "0.00") : "n/a");
    printf("\n");
}

static int report(bench *b, const char *self)
{
    timing t[KZ_BENCH_NPDUS][4];
    unsigned long failed = 0;
    for (int i = 0; i < KZ_BENCH_NPDUS; i++)
        for (int op = 0; op < 4; op++) {
            t[i][op] = time_op(&b->cases[i], op);
            failed += t[i][op].failed;
        }
    timing tk = time_op(&b->cases[0], OP_KPM_ITER);
    failed += tk.failed;

    bool vg = have_valgrind();
    double ir[KZ_BENCH_NPDUS][4];
    for (int i = 0; i < KZ_BENCH_NPDUS; i++)
        for (int op = 0; op < 4; op++)
            ir[i][op] = vg ? instructions_per_op(self, b->pdus[i].name, op, NULL) : -1;
    /* the iterator alone (kz_kpm_iter_next and what it calls), and the whole loop with the
     * consumer's few instructions per value */
    double ir_kpm = vg ? instructions_per_op(self, "KPM", OP_KPM_ITER, "kz_kpm_iter_next") : -1;
    double ir_kpm_loop = vg ? instructions_per_op(self, "KPM", OP_KPM_ITER, NULL) : -1;
    if (ir_kpm >= 0)
        ir_kpm /= (double)kpm.values;
    if (ir_kpm_loop >= 0)
        ir_kpm_loop /= (double)kpm.values;

    printf("E2AP codec, E2AP layer only (E2SM payloads encoded once beforehand, carried as octet strings)\n");
    printf("build: %s, %s\n\n", KZ_BENCH_BUILD_TYPE, __VERSION__);
    for (int i = 0; i < KZ_BENCH_NPDUS; i++)
        printf("  %s  %s\n", b->pdus[i].name, b->pdus[i].what);
    printf("\n%-4s %6s | %9s %9s | %12s %12s | %11s %11s\n", "PDU", "bytes", "enc ns", "dec ns",
           "enc instr", "dec instr", "enc allocs", "dec allocs");
    for (int i = 0; i < KZ_BENCH_NPDUS; i++) {
        char ie[32], id[32], ae[32], ad[32];
        if (vg) {
            fmt_count(ir[i][0], ie, sizeof ie);
            fmt_count(ir[i][1], id, sizeof id);
        } else {
            snprintf(ie, sizeof ie, "n/a");
            snprintf(id, sizeof id, "n/a");
        }
        if (KZ_BENCH_COUNTS_HEAP) {
            snprintf(ae, sizeof ae, "%.2f", (double)t[i][0].heap_calls / (double)t[i][0].ops);
            snprintf(ad, sizeof ad, "%.2f", (double)t[i][1].heap_calls / (double)t[i][1].ops);
        } else {
            snprintf(ae, sizeof ae, "n/a");
            snprintf(ad, sizeof ad, "n/a");
        }
        printf("%-4s %6zu | %9.0f %9.0f | %12s %12s | %11s %11s\n", b->pdus[i].name, b->cases[i].len,
               t[i][0].ns_per_op, t[i][1].ns_per_op, ie, id, ae, ad);
    }

    printf("\nInstructions per operation against asn1c (FlexRIC, Release, E2AP layer; issue 2).\n"
           "Target: ours/asn1c <= %.2f and 0 allocations.\n\n", TARGET_RATIO);
    printf("%-4s %6s | %12s %12s %7s\n", "PDU", "op", "ours", "asn1c", "ratio");
    int missed = 0;
    char misses[512] = "";
    for (int i = 0; i < KZ_BENCH_NPDUS; i++)
        for (int op = 0; op < 2; op++) {
            double ref = op ? asn1c_ref[i].dec : asn1c_ref[i].enc;
            char o[32], r[32];
            fmt_count(vg ? ir[i][op] : -1, o, sizeof o);
            fmt_count(ref, r, sizeof r);
            if (vg && ir[i][op] >= 0) {
                double ratio = ir[i][op] / ref;
                bool ok = ratio <= TARGET_RATIO;
                printf("%-4s %6s | %12s %12s %7.3f   %s\n", b->pdus[i].name, op_name[op], o, r, ratio,
                       ok ? "meets 1/10" : "MISSES 1/10");
                if (!ok) {
                    missed++;
                    size_t l = strlen(misses);
                    snprintf(misses + l, sizeof misses - l, "%s%s %s (%.3f)", l ? ", " : "",
                             b->pdus[i].name, op_name[op], ratio);
                }
            } else {
                printf("%-4s %6s | %12s %12s %7s   %s\n", b->pdus[i].name, op_name[op],
                       vg ? "failed" : "n/a", r, "-",
                       vg ? "(callgrind run failed)" : "(valgrind not installed)");
            }
        }

    unsigned long heap_total = 0;
    for (int i = 0; i < KZ_BENCH_NPDUS; i++)
        heap_total += t[i][0].heap_calls + t[i][1].heap_calls;

    int full_missed = 0;
    char full_misses[512] = "";
    unsigned long full_heap = 0;
    report_full(b, t, ir, vg, &full_missed, full_misses, sizeof full_misses, &full_heap);
    report_kpm(&tk, ir_kpm, ir_kpm_loop, vg);

    printf("\nHow each figure was measured:\n"
           "  bytes        length of our APER encoding of the PDU\n"
           "  ns           CLOCK_MONOTONIC; %d batches of N operations (N doubled until a batch takes\n"
           "               >= %.0f ms), median of the per-batch ns/op; wall clock on this machine, unpinned:\n"
           "               varies with load\n"
           "  instr        valgrind --tool=callgrind, total Ir of `bench_e2ap --callgrind PDU OP N` for\n"
           "               N=%d minus N=%d, divided by %d (cancels start-up and set-up); stable run to run\n"
           "  allocs       malloc/calloc/realloc/free calls during all timed operations (wrappers in this\n"
           "               binary forwarding to glibc's __libc_*), divided by the number of operations\n"
           "  encode       kz_e2ap_encode of the typed PDU into a 64 KiB buffer\n"
           "  decode       kz_asn_diag_init + kz_e2ap_decode into a reused arena (reset each time)\n"
           "  asn1c        figures from issue 2, measured by its author for FlexRIC's asn1c-generated\n"
           "               APER code (Release), E2AP layer; not re-measured here\n"
           "  full-encode  every E2SM payload from its typed value (kz_asn_encode, KPM / RC descriptors)\n"
           "               into a scratch buffer, then kz_e2ap_encode of the PDU carrying them\n"
           "  full-decode  kz_asn_diag_init + kz_e2ap_decode, then kz_asn_diag_init + kz_asn_decode of\n"
           "               every E2SM payload, all into one reused arena (reset each time)\n"
           "  asn1c full   figures from issue 3 (FlexRIC asn1c, E2AP + E2SM); not re-measured here\n"
           "  KPM iterator instr of `bench_e2ap --callgrind KPM iterate N` for N=%d minus N=%d, divided\n"
           "               by %d passes and by the values per pass; \"inclusive\": counted only inside\n"
           "               kz_kpm_iter_next (callgrind --toggle-collect), the loop: everything\n\n",
           BATCHES, BATCH_MIN_NS / 1e6, CG_N2, CG_N1, CG_N2 - CG_N1, CG_N2, CG_N1, CG_N2 - CG_N1);

    if (failed)
        printf("ERROR: %lu timed operations failed\n", failed);
    if (!vg)
        printf("RESULT: instructions n/a (valgrind not installed): the 1/10 target was not checked\n");
    else if (missed)
        printf("RESULT: TARGET MISSED: %d of 10 operations cost more than 1/10 of asn1c: %s\n", missed, misses);
    else
        printf("RESULT: target met: every encode and decode costs at most 1/10 of asn1c's instructions\n");
    if (!KZ_BENCH_COUNTS_HEAP)
        printf("RESULT: allocations n/a (AddressSanitizer build owns malloc)\n");
    else if (heap_total)
        printf("RESULT: ALLOCATION TARGET MISSED: %lu heap calls during the timed operations\n", heap_total);
    else
        printf("RESULT: zero heap allocations in every timed encode and decode\n");
    if (!vg)
        printf("RESULT: full cost: instructions n/a (valgrind not installed): not checked\n");
    else if (full_missed)
        printf("RESULT: FULL-COST TARGET MISSED: %d of 10 full operations cost more than 1/10 of asn1c: %s\n",
               full_missed, full_misses);
    else
        printf("RESULT: full cost target met: every full encode and decode (E2AP + E2SM) costs at most 1/10 of asn1c's instructions\n");
    if (!KZ_BENCH_COUNTS_HEAP)
        printf("RESULT: full cost: allocations n/a (AddressSanitizer build owns malloc)\n");
    else if (full_heap)
        printf("RESULT: FULL-COST ALLOCATION TARGET MISSED: %lu heap calls during the timed full operations\n",
               full_heap);
    else
        printf("RESULT: zero heap allocations in every timed full encode and decode\n");
    if (!vg || ir_kpm < 0)
        printf("RESULT: KPM iterator: instructions n/a: not checked\n");
    else if (ir_kpm <= KPM_PER_VALUE_TARGET)
        printf("RESULT: KPM iterator: %.1f instructions per value in kz_kpm_iter_next (%.1f with the "
               "consumer's loop), target <= %.0f met\n", ir_kpm, ir_kpm_loop, KPM_PER_VALUE_TARGET);
    else
        printf("RESULT: KPM ITERATOR TARGET MISSED: %.1f instructions per value in kz_kpm_iter_next "
               "(%.1f with the consumer's loop) > %.0f\n", ir_kpm, ir_kpm_loop, KPM_PER_VALUE_TARGET);
    if (KZ_BENCH_COUNTS_HEAP && tk.heap_calls)
        printf("RESULT: KPM ITERATOR ALLOCATES: %lu heap calls\n", tk.heap_calls);
    return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
    static bench b;
    if (setup(&b))
        return 1;

    if (argc == 2 && !strcmp(argv[1], "--hex")) {
        for (int i = 0; i < KZ_BENCH_NPDUS; i++) {
            printf("%s ", b.pdus[i].name);
            for (size_t k = 0; k < b.cases[i].len; k++)
                printf("%02x", b.cases[i].wire[k]);
            printf("\n");
        }
        return 0;
    }
    if (argc == 5 && !strcmp(argv[1], "--callgrind")) {
        bool is_kpm = !strcmp(argv[2], "KPM");
        int i = is_kpm ? 0 : find_case(argv[2]);
        int op = -1;
        for (int k = 0; k < N_OPS; k++)
            if (!strcmp(argv[3], op_name[k]))
                op = k;
        unsigned long n = strtoul(argv[4], NULL, 10);
        if (i < 0 || op < 0 || is_kpm != (op == OP_KPM_ITER)) {
            fprintf(stderr, "usage: bench_e2ap --callgrind P1..P5 encode|decode|full-encode|full-decode N\n"
                            "       bench_e2ap --callgrind KPM iterate N\n");
            return 2;
        }
        return run_ops(&b.cases[i], op, n) ? 1 : 0;
    }
    if (argc != 1) {
        fprintf(stderr, "usage: bench_e2ap [--hex | --callgrind P1..P5|KPM OP N]\n");
        return 2;
    }
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) {
        fprintf(stderr, "bench_e2ap: cannot find my own path: %s\n", strerror(errno));
        return 1;
    }
    self[n] = 0;
    return report(&b, self);
}
