/*
 * xapps/kpimon.c -- `kizuna-kpimon`: the first real xApp.  Subscribes to the cell-level KPM
 * metrics of every cell of every E2 node the RIC announces, keeps the latest value and a short
 * history of each (cell, metric), and prints a live table (or one CSV line per sample, --csv).
 *
 * Why this shape: it is the smallest xApp that exercises the whole SDK -- discovery with up/down
 * events, one subscription per node (one RIC action per cell, as KPM v3 wants), raw indications
 * read with the KPM helpers, automatic reconnect -- and an operator's first question to a RIC is
 * "what are my cells doing".
 *
 * Cells: KPM v3's RAN function definition lists no cells, so kpimon takes them from the node's
 * E2SM-CCC RAN function definition when it has one; otherwise it asks for node-level
 * measurements (one action, no cell id) and labels the row with the node.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kizuna/e2sm_ccc.h"
#include "kizuna/e2sm_kpm.h"
#include "kizuna/error.h"
#include "kizuna/loop.h"
#include "kizuna/xapp.h"

#define HIST 8
#define MAX_CELLS 16
#define MAX_METRICS 16

typedef struct series {
    double v[HIST];
    unsigned n, head;
    int64_t ts_ns;
} series;

typedef struct mcell {
    uint64_t nci;           /* UINT64_MAX: node level */
    series m[MAX_METRICS];
} mcell;

struct kpimon;
struct mnode;
/* A subscription's callbacks reach the xApp and its node through this. */
typedef struct subctx {
    struct kpimon *k;
    struct mnode *n;
} subctx;

typedef struct mnode {
    subctx ctx;                 /* the subscription's ud: lives as long as the node */
    uint32_t id;
    char name[96];
    bool up;
    uint32_t sub;
    bool subscribed;
    uint16_t ranf;
    size_t ncells;
    mcell cells[MAX_CELLS];
    struct mnode *next;
} mnode;

typedef struct kpimon {
    kz_loop *loop;
    kz_xapp *x;
    bool csv;
    uint32_t period_ms;
    const char *metrics[MAX_METRICS];
    size_t nmetrics;
    mnode *nodes;
    uint64_t inds, samples, max_inds;
    kz_timer tick, stop;
    kz_async sig;
    uint8_t arena_mem[1 << 18];
} kpimon;

static kz_async *g_sig;
static void on_signal(int s)
{
    (void)s;
    if (g_sig)
        kz_async_send(g_sig);
}

static int metric_index(kpimon *k, const kz_octets *name)
{
    for (size_t i = 0; i < k->nmetrics; i++)
        if (strlen(k->metrics[i]) == name->len && !memcmp(k->metrics[i], name->buf, name->len))
            return (int)i;
    return -1;
}

static void handle_ind(kz_xapp *x, const kz_xapp_indication *ind, void *ud)
{
    subctx *c = ud;
    struct kpimon *k = c->k;
    struct mnode *n = c->n;
    (void)x;
    k->inds++;
    size_t ci = ind->action >= 1 ? (size_t)ind->action - 1 : 0;
    if (ci >= n->ncells)
        return;
    mcell *cell = &n->cells[ci];
    kz_arena a;
    kz_arena_init(&a, k->arena_mem, sizeof k->arena_mem);
    const kz_kpm_E2SM_KPM_IndicationHeader *h;
    const kz_kpm_E2SM_KPM_IndicationMessage *m;
    if (kz_kpm_decode_header(ind->hdr, ind->hdr_len, &a, &h, NULL) < 0 ||
        kz_kpm_decode_message(ind->msg, ind->msg_len, &a, &m, NULL) < 0)
        return;
    kz_kpm_iter it;
    kz_kpm_iter_opts o;
    memset(&o, 0, sizeof o);
    o.granul_ms = k->period_ms;
    kz_kpm_iter_init(&it, h, m, &o);
    kz_kpm_sample s;
    while (kz_kpm_iter_next(&it, &s)) {
        int mi = metric_index(k, &s.name);
        if (mi < 0 || s.v.kind == KZ_KPM_VALUE_NONE)
            continue;
        double v = s.v.kind == KZ_KPM_VALUE_INT ? (double)s.v.i : s.v.r;
        series *se = &cell->m[mi];
        se->v[se->head] = v;
        se->head = (se->head + 1) % HIST;
        if (se->n < HIST)
            se->n++;
        se->ts_ns = s.ts_ns;
        k->samples++;
        if (k->csv) {
            if (cell->nci == UINT64_MAX)
                printf("%.3f,%s,node,%s,%g\n", (double)s.ts_ns / 1e9, n->name, k->metrics[mi], v);
            else
                printf("%.3f,%s,%09llx,%s,%g\n", (double)s.ts_ns / 1e9, n->name,
                       (unsigned long long)cell->nci, k->metrics[mi], v);
        }
    }
    if (k->csv)
        fflush(stdout);
    if (k->max_inds && k->inds >= k->max_inds)
        kz_loop_stop(k->loop);
}

static void on_state(kz_xapp *x, const kz_xapp_sub_event *ev, void *ud)
{
    subctx *c = ud;
    (void)x;
    static const char *const names[] = {"?", "active", "suspended", "failed", "deleted"};
    fprintf(stderr, "kpimon: node=%s subscription %s%s\n", c->n->name, names[ev->state],
            ev->error ? " (error)" : "");
    if (ev->state == KZ_XAPP_SUB_FAILED || ev->state == KZ_XAPP_SUB_DELETED)
        c->n->subscribed = false;
}

static void subscribe_node(kpimon *k, mnode *n, const kz_xapp_node *xn)
{
    const kz_xapp_ran_function *kpm = kz_xapp_node_function_by_oid(xn, KZ_KPM_OID);
    if (!kpm || n->subscribed)
        return;
    n->ranf = kpm->id;
    /* cells from the CCC definition, if any */
    uint8_t plmn[3] = {0x00, 0xf1, 0x10};
    uint8_t st[MAX_CELLS][8];
    kz_e2sm_CGI cgis[MAX_CELLS];
    n->ncells = 0;
    for (size_t i = 0; i < xn->n_functions; i++) {
        const char *oid = xn->functions[i].oid;
        size_t ol = strlen(oid);
        if (strncmp(oid, KZ_CCC_OID_PREFIX, strlen(KZ_CCC_OID_PREFIX)) || ol < 4 ||
            strcmp(oid + ol - 4, ".2.4"))
            continue;
        static kz_ccc_ran_function_def def;   /* large; kpimon is single-threaded */
        static uint8_t text_mem[1 << 16];
        kz_arena text;
        kz_arena_init(&text, text_mem, sizeof text_mem);
        kz_ccc_err err;
        if (kz_ccc_ran_function_def_parse(xn->functions[i].def, xn->functions[i].def_len, &def,
                                          &text, &err) < 0)
            continue;
        for (uint8_t c = 0; c < def.n_cells && n->ncells < MAX_CELLS; c++) {
            const kz_ccc_plmn *p = &def.cells[c].cgi.plmn;
            unsigned mnc_digits = (unsigned)strlen(p->mnc);
            kz_kpm_plmn(plmn, (unsigned)atoi(p->mcc), (unsigned)atoi(p->mnc), mnc_digits);
            kz_kpm_nr_cgi(&cgis[n->ncells], st[n->ncells], plmn, def.cells[c].cgi.nci);
            n->cells[n->ncells].nci = def.cells[c].cgi.nci;
            n->ncells++;
        }
    }
    kz_kpm_metric ms[MAX_METRICS];
    for (size_t i = 0; i < k->nmetrics; i++)
        ms[i] = (kz_kpm_metric){.name = k->metrics[i]};
    kz_kpm_cell_subscription cs = {.period_ms = k->period_ms, .metrics = ms,
                                   .n_metrics = k->nmetrics, .cells = n->ncells ? cgis : NULL,
                                   .n_cells = n->ncells};
    static uint8_t buf[65536], scratch_mem[1 << 16];
    kz_arena scratch;
    kz_arena_init(&scratch, scratch_mem, sizeof scratch_mem);
    kz_kpm_blob trig, acts[MAX_CELLS];
    int na = kz_kpm_build_cell_subscription(&cs, &scratch, buf, sizeof buf, &trig, acts, MAX_CELLS);
    if (na < 0) {
        fprintf(stderr, "kpimon: cannot build a subscription for %s: %s\n", n->name,
                kz_strerror(na));
        return;
    }
    if (!n->ncells) {
        n->ncells = 1;
        n->cells[0].nci = UINT64_MAX;
    }
    kz_xapp_action xa[MAX_CELLS];
    for (int i = 0; i < na; i++)
        xa[i] = (kz_xapp_action){.id = (uint16_t)(i + 1), .type = KZ_XAPP_ACTION_REPORT,
                                 .def = acts[i].buf, .def_len = acts[i].len};
    kz_xapp_sub_req req = {.node = n->id, .ran_function = n->ranf, .trigger = trig.buf,
                           .trigger_len = trig.len, .actions = xa, .n_actions = (size_t)na};
    n->ctx.k = k;
    n->ctx.n = n;
    kz_xapp_sub_cbs cbs = {.on_state = on_state, .on_indication = handle_ind};
    if (kz_xapp_subscribe(k->x, &req, &cbs, &n->ctx, &n->sub) == 0)
        n->subscribed = true;
}

static void on_node(kz_xapp *x, const kz_xapp_node *xn, bool up, void *ud)
{
    kpimon *k = ud;
    (void)x;
    mnode *n = k->nodes;
    while (n && n->id != xn->id)
        n = n->next;
    if (!n) {
        n = calloc(1, sizeof *n);
        if (!n)
            return;
        n->id = xn->id;
        n->next = k->nodes;
        k->nodes = n;
    }
    snprintf(n->name, sizeof n->name, "%s", xn->name);
    n->up = up;
    fprintf(stderr, "kpimon: node %s %s (%zu RAN functions)\n", xn->name, up ? "up" : "down",
            xn->n_functions);
    if (up)
        subscribe_node(k, n, xn);
}

static void on_conn(kz_xapp *x, bool up, void *ud)
{
    (void)x;
    (void)ud;
    fprintf(stderr, "kpimon: RIC %s\n", up ? "connected" : "disconnected (reconnecting)");
}

static void tick_cb(kz_timer *t, void *ud)
{
    kpimon *k = ud;
    (void)t;
    printf("\033[H\033[2J%-28s %-10s", "node", "cell");
    for (size_t i = 0; i < k->nmetrics; i++)
        printf(" %14.14s", k->metrics[i]);
    printf("\n");
    for (mnode *n = k->nodes; n; n = n->next)
        for (size_t c = 0; c < n->ncells; c++) {
            char cell[24];
            if (n->cells[c].nci == UINT64_MAX)
                snprintf(cell, sizeof cell, "node");
            else
                snprintf(cell, sizeof cell, "%09llx", (unsigned long long)n->cells[c].nci);
            printf("%-28.28s %-10s", n->name, cell);
            for (size_t i = 0; i < k->nmetrics; i++) {
                const series *s = &n->cells[c].m[i];
                if (!s->n)
                    printf(" %14s", "-");
                else
                    printf(" %14.6g", s->v[(s->head + HIST - 1) % HIST]);
            }
            printf("%s\n", n->up ? "" : "  (down)");
        }
    printf("\n%llu indications, %llu samples\n", (unsigned long long)k->inds,
           (unsigned long long)k->samples);
    fflush(stdout);
}

static void stop_cb(kz_timer *t, void *ud)
{
    (void)t;
    kz_loop_stop(((kpimon *)ud)->loop);
}

static void sig_cb(kz_async *a, void *ud)
{
    (void)a;
    kz_loop_stop(((kpimon *)ud)->loop);
}

static void usage(FILE *f)
{
    fprintf(f, "usage: kizuna-kpimon [--bus URL] [--token T] [--period MS] [--metrics A,B,..]\n"
               "                     [--csv] [--duration S] [--count N]\n"
               "Subscribes to the cell-level KPM metrics of every cell of every node.\n"
               "  --bus URL       RIC xApp bus (default unix:///tmp/kizuna-ric.sock)\n"
               "  --period MS     reporting period (1000)\n"
               "  --metrics LIST  comma-separated KPM names (default: the gNB cell metrics)\n"
               "  --csv           one line per sample: time,node,cell,metric,value\n"
               "  --duration S    exit after S seconds;  --count N: after N indications\n");
}

int main(int argc, char **argv)
{
    static kpimon k;
    const char *bus = "unix:///tmp/kizuna-ric.sock", *token = NULL;
    double duration = 0;
    k.period_ms = 1000;
    char *mlist = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--csv")) { k.csv = true; continue; }
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { usage(stdout); return 0; }
        if (!v) { usage(stderr); return 2; }
        i++;
        if (!strcmp(a, "--bus")) bus = v;
        else if (!strcmp(a, "--token")) token = v;
        else if (!strcmp(a, "--period")) k.period_ms = (uint32_t)atoi(v);
        else if (!strcmp(a, "--duration")) duration = atof(v);
        else if (!strcmp(a, "--count")) k.max_inds = (uint64_t)atoll(v);
        else if (!strcmp(a, "--metrics")) mlist = strdup(v);
        else { usage(stderr); return 2; }
    }
    if (!k.period_ms)
        k.period_ms = 1000;
    if (mlist) {
        for (char *tok = strtok(mlist, ","); tok && k.nmetrics < MAX_METRICS; tok = strtok(NULL, ","))
            k.metrics[k.nmetrics++] = tok;
    } else {
        for (size_t i = 0; i < kz_kpm_gnb_n_cell_metrics && i < MAX_METRICS; i++)
            k.metrics[k.nmetrics++] = kz_kpm_gnb_cell_metrics[i];
    }
    if (kz_loop_open(&k.loop, NULL) < 0)
        return 1;
    kz_xapp_cfg cfg;
    kz_xapp_cfg_default(&cfg);
    cfg.url = bus;
    cfg.name = "kpimon";
    cfg.token = token;
    kz_xapp_cbs cbs = {.on_connection = on_conn, .on_node = on_node};
    int rc = kz_xapp_open(&k.x, k.loop, &cfg, &cbs, &k);
    if (rc < 0) {
        fprintf(stderr, "kpimon: %s: %s\n", bus, kz_strerror(rc));
        return 2;
    }
    kz_async_init(k.loop, &k.sig, sig_cb, &k);
    g_sig = &k.sig;
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);
    kz_timer_init(k.loop, &k.tick);
    kz_timer_init(k.loop, &k.stop);
    if (!k.csv)
        kz_timer_start(&k.tick, KZ_NS_PER_S, KZ_NS_PER_S, tick_cb, &k);
    if (duration > 0)
        kz_timer_start(&k.stop, (int64_t)(duration * 1e9), 0, stop_cb, &k);
    kz_loop_run(k.loop, KZ_RUN_DEFAULT);
    kz_timer_stop(&k.tick);
    kz_timer_stop(&k.stop);
    g_sig = NULL;
    kz_async_close(&k.sig);
    kz_xapp_close(k.x);
    kz_loop_close(k.loop);
    fprintf(stderr, "kpimon: %llu indications, %llu samples\n", (unsigned long long)k.inds,
            (unsigned long long)k.samples);
    while (k.nodes) {
        mnode *n = k.nodes;
        k.nodes = n->next;
        free(n);
    }
    free(mlist);
    return 0;
}
