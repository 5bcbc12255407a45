/*
 * bench/bench_ric.c -- what routing costs: indications per second node -> RIC -> xApp(s), the
 * RIC's share of it, and the control loop's round trip.
 *
 *   bench_ric [N]          in one process, wall clock, mem:// E2 and bus:
 *     1. route N indications to 1 and to 10 xApps (one merged E2 subscription): ns per
 *        indication per xApp end to end (agent send + RIC decode/route + bus + SDK parse);
 *     2. control round trip xApp -> RIC -> node -> RIC -> xApp: p50 / p99.
 *   bench_ric --udp PORT N [C]  the same route over sctp+udp:// (usrsctp) E2 and a unix:// bus, all
 *                          in one process (loop thread + usrsctp's threads); C control round
 *                          trips afterwards (default 2000; 0 for profiling the route alone).
 *   bench_ric --scale-udp N [S [PORT]], --scale-sim N [S]: many nodes (bench_ric_scale.c).
 *
 * Output: one "key=value" line per figure (bench/run.sh collects them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../tests/ric/agent.h"
#include "kizuna/ric.h"
#include "kizuna/xapp.h"

static int64_t wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

typedef struct bx {
    kz_xapp *x;
    uint32_t node, sub;
    bool active;
    uint64_t inds;
    int ctl_done;
    int64_t ctl_t0, ctl_rtt;
} bx;

static void on_node(kz_xapp *x, const kz_xapp_node *n, bool up, void *ud)
{
    (void)x;
    if (up)
        ((bx *)ud)->node = n->id;
}
static void on_state(kz_xapp *x, const kz_xapp_sub_event *ev, void *ud)
{
    (void)x;
    if (ev->state == KZ_XAPP_SUB_ACTIVE)
        ((bx *)ud)->active = true;
}
static void on_ind(kz_xapp *x, const kz_xapp_indication *ind, void *ud)
{
    (void)x;
    (void)ind;
    ((bx *)ud)->inds++;
}
static void on_ctl(kz_xapp *x, const kz_xapp_control_result *r, void *ud)
{
    bx *b = ud;
    (void)x;
    (void)r;
    b->ctl_done++;
    b->ctl_rtt = wall_ns() - b->ctl_t0;
}

static int cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* KZ_RUN_NOWAIT polls without sleeping (lowest latency, burns the core: used for the control
 * round trips); KZ_RUN_ONCE sleeps when there is nothing to do, as a daemon does (used while
 * indications flow, so that the CPU figure is work, not spinning). */
static enum kz_run_mode g_mode = KZ_RUN_NOWAIT;

static void run_until(kz_loop *loop, bool (*done)(void *), void *ud, int64_t max_ns)
{
    int64_t end = wall_ns() + max_ns;
    while (!done(ud) && wall_ns() < end)
        kz_loop_run(loop, g_mode);
}

typedef struct scen {
    bx *xs;
    int nx;
    uint64_t want;
    agent *ag;
} scen;

static bool all_active(void *ud)
{
    scen *s = ud;
    for (int i = 0; i < s->nx; i++)
        if (!s->xs[i].active)
            return false;
    return true;
}
static bool all_nodes(void *ud)
{
    scen *s = ud;
    for (int i = 0; i < s->nx; i++)
        if (!s->xs[i].node)
            return false;
    return s->ag->setup_done;
}
static bool all_inds(void *ud)
{
    scen *s = ud;
    for (int i = 0; i < s->nx; i++)
        if (s->xs[i].inds < s->want)
            return false;
    return true;
}
static bool ctl_done(void *ud) { return ((bx *)ud)->ctl_done > 0; }

static int g_controls = 2000;   /* control round trips measured after the indications */

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int scenario(const char *e2url, const char *busurl, int nx, uint64_t n, const char *tag)
{
    kz_loop *loop;
    kz_loop_open(&loop, NULL);
    kz_ric_cfg cfg;
    kz_ric_cfg_default(&cfg);
    const char *e2[] = {e2url}, *bus[] = {busurl};
    cfg.e2_listen = e2;
    cfg.n_e2_listen = 1;
    cfg.bus_listen = bus;
    cfg.n_bus_listen = 1;
    cfg.log_level = KZ_RIC_LOG_ERROR;
    cfg.xapp_queue_bytes = 64u << 20;
    kz_ric *ric;
    if (kz_ric_open(&ric, loop, &cfg) < 0) {
        fprintf(stderr, "bench_ric: cannot open the RIC on %s\n", e2url);
        return 1;
    }
    static agent ag;
    agent_open(&ag, loop, e2url, 0xe00);
    bx *xs = calloc((size_t)nx, sizeof *xs);
    for (int i = 0; i < nx; i++) {
        kz_xapp_cfg xc;
        kz_xapp_cfg_default(&xc);
        xc.url = busurl;
        xc.sndq_bytes = 64u << 20;
        kz_xapp_cbs cbs = {.on_node = on_node};
        kz_xapp_open(&xs[i].x, loop, &xc, &cbs, &xs[i]);
    }
    scen s = {.xs = xs, .nx = nx, .ag = &ag};
    run_until(loop, all_nodes, &s, 5 * KZ_NS_PER_S);
    static const uint8_t trig[] = {1, 2, 3};
    kz_xapp_action act = {.id = 1, .type = 0};
    for (int i = 0; i < nx; i++) {
        kz_xapp_sub_req req = {.node = xs[i].node, .ran_function = 2, .trigger = trig,
                               .trigger_len = 3, .actions = &act, .n_actions = 1};
        kz_xapp_sub_cbs cbs = {.on_state = on_state, .on_indication = on_ind};
        kz_xapp_subscribe(xs[i].x, &req, &cbs, &xs[i], &xs[i].sub);
    }
    run_until(loop, all_active, &s, 5 * KZ_NS_PER_S);
    if (!all_active(&s)) {
        fprintf(stderr, "bench_ric: subscriptions did not become active\n");
        return 1;
    }
    /* a typical KPM-sized indication, encoded once */
    static uint8_t hdr[40], msg[200];
    memset(hdr, 0x11, sizeof hdr);
    memset(msg, 0x22, sizeof msg);
    kz_e2ap_pdu pdu;
    memset(&pdu, 0, sizeof pdu);
    pdu.present = kz_e2ap_E2AP_PDU_initiatingMessage;
    pdu.u.initiatingMessage.present = kz_e2ap_InitiatingMessage_RICindication;
    kz_e2ap_RICindication *ind = &pdu.u.initiatingMessage.u.RICindication;
    ind->RICrequestID = ag.last_sub;
    ind->RANfunctionID = 2;
    ind->RICactionID = 1;
    ind->has_RICindicationSN = true;
    ind->RICindicationHeader.buf = hdr;
    ind->RICindicationHeader.len = sizeof hdr;
    ind->RICindicationMessage.buf = msg;
    ind->RICindicationMessage.len = sizeof msg;
    uint8_t wire[512];
    long wl = kz_e2ap_encode(&pdu, wire, sizeof wire, NULL);
    s.want = n;
    kz_ric_stats st0, st1;
    kz_ric_stats_get(ric, &st0);
    g_mode = KZ_RUN_ONCE;
    int64_t t0 = wall_ns();
    double c0 = cpu_s();
    uint64_t sent = 0;
    kz_msg wm = {.data = wire, .len = (size_t)wl, .ppid = KZ_E2AP_PPID, .stream = 0};
    while (sent < n && ag.as) {   /* respect backpressure: a refused send is retried */
        for (int k = 0; k < 256 && sent < n; k++) {
            if (kz_assoc_send(ag.as, &wm) != 0)
                break;
            sent++;
        }
        kz_loop_run(loop, g_mode);
    }
    run_until(loop, all_inds, &s, 30 * KZ_NS_PER_S);
    int64_t dt = wall_ns() - t0;
    double cpu = cpu_s() - c0;
    g_mode = KZ_RUN_NOWAIT;
    kz_ric_stats_get(ric, &st1);
    uint64_t got = 0;
    for (int i = 0; i < nx; i++)
        got += xs[i].inds;
    printf("%s_xapps=%d indications=%llu delivered=%llu dropped=%llu\n", tag, nx,
           (unsigned long long)n, (unsigned long long)got,
           (unsigned long long)(st1.indications_dropped - st0.indications_dropped));
    printf("%s_ind_per_s_x%d=%.0f\n", tag, nx, (double)n / ((double)dt / 1e9));
    printf("%s_ns_per_ind_per_xapp_x%d=%.1f  (end to end in one process: agent send + RIC + "
           "bus + SDK)\n", tag, nx, (double)dt / (double)got);
    printf("%s_cpu_ns_per_ind_x%d=%.0f  (CPU of all threads of the process, user + system)\n", tag, nx, cpu * 1e9 / (double)n);

    /* control loop round trips */
    enum { R = 2000 };
    static int64_t rtt[R];
    int nctl = g_controls < R ? g_controls : R;
    static const uint8_t ch[] = {1, 2, 3}, cm[] = {4, 5, 6};
    int ok = 0;
    for (int i = 0; i < nctl; i++) {
        kz_xapp_control_req cr = {.node = xs[0].node, .ran_function = 3, .hdr = ch, .hdr_len = 3,
                                  .msg = cm, .msg_len = 3, .ack = true};
        xs[0].ctl_done = 0;
        xs[0].ctl_t0 = wall_ns();
        if (kz_xapp_control(xs[0].x, &cr, on_ctl, &xs[0]) < 0)
            break;
        run_until(loop, ctl_done, &xs[0], KZ_NS_PER_S);
        if (!xs[0].ctl_done)
            break;
        rtt[ok++] = xs[0].ctl_rtt;
    }
    if (ok) {
        qsort(rtt, (size_t)ok, sizeof rtt[0], cmp64);
        printf("%s_control_rtt_us_p50=%.1f p99=%.1f (n=%d)\n", tag, (double)rtt[ok / 2] / 1e3,
               (double)rtt[ok * 99 / 100] / 1e3, ok);
    }
    for (int i = 0; i < nx; i++)
        kz_xapp_close(xs[i].x);
    free(xs);
    agent_close(&ag);
    kz_ric_close(ric);
    kz_loop_close(loop);
    return 0;
}

/* bench_ric_scale.c */
int bench_scale_sim(int n, int seconds);
int bench_scale_udp(int n, int seconds, int port);

int main(int argc, char **argv)
{
    uint64_t n = 200000;
    if (argc > 2 && !strcmp(argv[1], "--scale-sim"))
        return bench_scale_sim(atoi(argv[2]), argc > 3 ? atoi(argv[3]) : 10);
    if (argc > 2 && !strcmp(argv[1], "--scale-udp"))
        return bench_scale_udp(atoi(argv[2]), argc > 3 ? atoi(argv[3]) : 10,
                               argc > 4 ? atoi(argv[4]) : 30000 + (int)(getpid() % 20000));
    if (argc > 1 && !strcmp(argv[1], "--udp")) {
        if (argc < 3)
            return 2;
        char e2[64], bus[64];
        snprintf(e2, sizeof e2, "sctp+udp://127.0.0.1:%s", argv[2]);
        snprintf(bus, sizeof bus, "unix://@kizuna-bench-%d", (int)getpid());
        if (argc > 3)
            n = strtoull(argv[3], NULL, 10);
        if (argc > 4)
            g_controls = atoi(argv[4]);
        return scenario(e2, bus, 1, n, "usrsctp");
    }
    if (argc > 1)
        n = strtoull(argv[1], NULL, 10);
    int rc = scenario("mem://bench-e2", "mem://bench-bus", 1, n, "mem");
    rc |= scenario("mem://bench-e2b", "mem://bench-busb", 10, n / 4, "mem");
    return rc;
}
