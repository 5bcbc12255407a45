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
 *   bench_ric --udp3 PORT N the same pipeline as three processes, as deployed: the agent (one E2
 *                          node), the RIC, the xApp (SDK) -- each its own loop and, for the agent
 *                          and the RIC, its own usrsctp stack and threads.  Rate = N / (xApp's
 *                          last indication - agent's first send), CLOCK_MONOTONIC across processes.
 *   bench_ric --scale-udp N [S [PORT]], --scale-sim N [S]: many nodes (bench_ric_scale.c).
 *
 * Output: one "key=value" line per figure (bench/run.sh collects them).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
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

/* ---- three processes: agent -> RIC -> xApp ------------------------------------------------ */
typedef struct pres {
    int64_t t0, t1;      /* agent: first and last send; xApp: first and last indication */
    uint64_t count;      /* agent: sent; xApp: received */
    uint64_t refused;    /* agent: sends refused by backpressure (retried) */
    uint64_t bytes;      /* agent: octets of one RICindication */
    double cpu;          /* CPU seconds over the phase, all threads */
    int ok;
} pres;

static volatile sig_atomic_t g_term;
static void on_term(int sig) { (void)sig; g_term = 1; }

static void wait_go(int fd)
{
    char c;
    while (read(fd, &c, 1) < 0)
        ;
    close(fd);
}

typedef struct x3 {
    bx b;
    int64_t first, last;
} x3;

static void on_ind3(kz_xapp *x, const kz_xapp_indication *ind, void *ud)
{
    x3 *c = ud;
    (void)x;
    (void)ind;
    int64_t t = wall_ns();
    if (!c->b.inds)
        c->first = t;
    c->last = t;
    c->b.inds++;
}

static bool x3_node(void *ud) { return ((x3 *)ud)->b.node != 0; }
static bool x3_active(void *ud) { return ((x3 *)ud)->b.active; }

static int child_xapp3(int go, int res, const char *busurl, uint64_t n)
{
    wait_go(go);
    pres r = {0};
    kz_loop *loop;
    kz_loop_open(&loop, NULL);
    static x3 c;
    kz_xapp_cfg xc;
    kz_xapp_cfg_default(&xc);
    xc.url = busurl;
    kz_xapp_cbs cbs = {.on_node = on_node};
    kz_xapp_open(&c.b.x, loop, &xc, &cbs, &c.b);
    g_mode = KZ_RUN_ONCE;
    run_until(loop, x3_node, &c, 10 * KZ_NS_PER_S);
    static const uint8_t trig[] = {1, 2, 3};
    kz_xapp_action act = {.id = 1, .type = 0};
    kz_xapp_sub_req req = {.node = c.b.node, .ran_function = 2, .trigger = trig, .trigger_len = 3,
                           .actions = &act, .n_actions = 1};
    kz_xapp_sub_cbs scb = {.on_state = on_state, .on_indication = on_ind3};
    kz_xapp_subscribe(c.b.x, &req, &scb, &c, &c.b.sub);
    /* on_state's ud is the bx at the start of x3 */
    run_until(loop, x3_active, &c, 10 * KZ_NS_PER_S);
    double c0 = cpu_s();
    int64_t end = wall_ns() + 120 * KZ_NS_PER_S;
    while (c.b.inds < n && wall_ns() < end) {
        kz_loop_run(loop, KZ_RUN_ONCE);
        if (c.b.inds && wall_ns() - c.last > 3 * KZ_NS_PER_S)
            break;   /* the rest is not coming (dropped: the RIC counts it) */
    }
    r.cpu = cpu_s() - c0;
    r.t0 = c.first;
    r.t1 = c.last;
    r.count = c.b.inds;
    r.ok = c.b.active;
    if (write(res, &r, sizeof r) != (ssize_t)sizeof r)
        return 1;
    kz_xapp_close(c.b.x);
    kz_loop_close(loop);
    return 0;
}

static bool ag_subscribed(void *ud) { return ((agent *)ud)->sub_req > 0; }
static bool never(void *ud) { (void)ud; return false; }

static int child_agent3(int go, int res, const char *e2url, uint64_t n)
{
    wait_go(go);
    signal(SIGTERM, on_term);
    pres r = {0};
    kz_loop *loop;
    kz_loop_open(&loop, NULL);
    static agent ag;
    agent_open(&ag, loop, e2url, 0xe00);
    g_mode = KZ_RUN_ONCE;
    run_until(loop, ag_subscribed, &ag, 10 * KZ_NS_PER_S);
    run_until(loop, never, NULL, 200 * KZ_NS_PER_MS);   /* the answer reaches the xApp */
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
    kz_msg wm = {.data = wire, .len = (size_t)wl, .ppid = KZ_E2AP_PPID, .stream = 0};
    r.ok = ag.sub_req > 0 && ag.as && wl > 0;
    r.bytes = (uint64_t)wl;
    double c0 = cpu_s();
    r.t0 = wall_ns();
    while (r.ok && r.count < n && ag.as) {
        for (int k = 0; k < 256 && r.count < n; k++) {
            if (kz_assoc_send(ag.as, &wm) != 0) {
                r.refused++;
                break;
            }
            r.count++;
        }
        kz_loop_run(loop, KZ_RUN_ONCE);
    }
    r.t1 = wall_ns();
    /* until the queue has gone out */
    kz_assoc_stats as;
    while (ag.as && (kz_assoc_stats_get(ag.as, &as), as.sndq_msgs) && !g_term)
        kz_loop_run(loop, KZ_RUN_ONCE);
    r.cpu = cpu_s() - c0;
    if (write(res, &r, sizeof r) != (ssize_t)sizeof r)
        return 1;
    while (!g_term)   /* keep the association up until the parent has its figures */
        kz_loop_run_until(loop, kz_loop_now(loop) + 20 * KZ_NS_PER_MS);
    agent_close(&ag);
    kz_loop_close(loop);
    return 0;
}

static int three_procs(int port, uint64_t n)
{
    char e2url[64], busurl[64];
    snprintf(e2url, sizeof e2url, "sctp+udp://127.0.0.1:%d", port);
    snprintf(busurl, sizeof busurl, "unix://@kizuna-bench3-%d", (int)getpid());
    int gx[2], ga[2], rx[2], ra[2];
    if (pipe(gx) < 0 || pipe(ga) < 0 || pipe(rx) < 0 || pipe(ra) < 0)
        return 1;
    fflush(stdout);
    /* fork before anything starts threads (usrsctp): each child gets its own stack */
    pid_t xp = fork();
    if (xp == 0) {
        close(gx[1]); close(ga[0]); close(ga[1]); close(rx[0]); close(ra[0]); close(ra[1]);
        _exit(child_xapp3(gx[0], rx[1], busurl, n));
    }
    pid_t ap = fork();
    if (ap == 0) {
        close(ga[1]); close(gx[0]); close(gx[1]); close(ra[0]); close(rx[0]); close(rx[1]);
        _exit(child_agent3(ga[0], ra[1], e2url, n));
    }
    close(gx[0]); close(ga[0]); close(rx[1]); close(ra[1]);
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
    cfg.xapp_queue_bytes = 64u << 20;   /* as --udp: a scheduling hiccup of the xApp is not a drop */
    kz_ric *ric;
    if (kz_ric_open(&ric, loop, &cfg) < 0) {
        fprintf(stderr, "bench_ric: cannot open the RIC on %s\n", e2url);
        kill(xp, SIGKILL);
        kill(ap, SIGKILL);
        return 1;
    }
    if (write(gx[1], "g", 1) != 1)
        return 1;
    close(gx[1]);
    kz_loop_run_until(loop, kz_loop_now(loop) + 100 * KZ_NS_PER_MS);   /* the xApp is in */
    if (write(ga[1], "g", 1) != 1)
        return 1;
    close(ga[1]);
    kz_ric_stats st0, st;
    kz_ric_stats_get(ric, &st0);
    double c0 = cpu_s();
    int64_t end = wall_ns() + 150 * KZ_NS_PER_S;
    int status = 0;
    while (waitpid(xp, &status, WNOHANG) != xp && wall_ns() < end)
        kz_loop_run_until(loop, kz_loop_now(loop) + 10 * KZ_NS_PER_MS);
    double ric_cpu = cpu_s() - c0;
    kz_ric_stats_get(ric, &st);
    pres x = {0}, a = {0};
    bool got = read(rx[0], &x, sizeof x) == (ssize_t)sizeof x;
    got &= read(ra[0], &a, sizeof a) == (ssize_t)sizeof a;
    kill(ap, SIGTERM);
    while (waitpid(ap, NULL, 0) < 0)
        ;
    kz_ric_close(ric);
    kz_loop_close(loop);
    if (!got || !x.ok || !a.ok) {
        fprintf(stderr, "bench_ric --udp3: a child failed (xapp ok=%d, agent ok=%d)\n", x.ok, a.ok);
        return 1;
    }
    double span = (double)(x.t1 - a.t0) / 1e9;
    uint64_t routed = st.indications_routed - st0.indications_routed;
    uint64_t dropped = st.indications_dropped - st0.indications_dropped;
    printf("usrsctp3_indications=%llu of %llu octets received_by_xapp=%llu ric_routed=%llu "
           "ric_dropped=%llu agent_refused_retried=%llu\n", (unsigned long long)a.count,
           (unsigned long long)a.bytes,
           (unsigned long long)x.count, (unsigned long long)routed, (unsigned long long)dropped,
           (unsigned long long)a.refused);
    printf("usrsctp3_ind_per_s=%.0f  (agent first send -> xApp last indication, 3 processes)\n",
           (double)x.count / span);
    printf("usrsctp3_cpu_ns_per_ind agent=%.0f ric=%.0f xapp=%.0f total=%.0f  (each process, all "
           "its threads)\n", a.cpu * 1e9 / (double)n, ric_cpu * 1e9 / (double)n,
           x.cpu * 1e9 / (double)n, (a.cpu + ric_cpu + x.cpu) * 1e9 / (double)n);
    return x.count == a.count ? 0 : 1;
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
    if (argc > 3 && !strcmp(argv[1], "--udp3")) {   /* PORT 0: one derived from the pid */
        int port = atoi(argv[2]);
        return three_procs(port ? port : 30000 + (int)(getpid() % 20000),
                           strtoull(argv[3], NULL, 10));
    }
    if (argc > 1 && !strcmp(argv[1], "--udp")) {
        if (argc < 3)
            return 2;
        char e2[64], bus[64];
        int port = atoi(argv[2]);   /* PORT 0: one derived from the pid, as --udp3 */
        snprintf(e2, sizeof e2, "sctp+udp://127.0.0.1:%d",
                 port > 0 ? port : 30000 + (int)(getpid() % 20000));
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
