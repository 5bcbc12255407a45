/*
 * bench/bench_ric_scale.c -- many E2 nodes on one RIC: setup time, 1 s KPM reporting routed to
 * one xApp, drops, the RIC's memory per node and its CPU.
 *
 *   bench_ric --scale-udp N [SECONDS]   N test agents (tests/ric/agent.c) over sctp+udp://
 *                                       (usrsctp) in one child process, the xApp in another, the
 *                                       RIC alone in this one -- so its VmRSS is the RIC's own.
 *   bench_ric --scale-sim N [SECONDS]   the same in the deterministic simulator (mem://, virtual
 *                                       time): RIC, agents and xApp in one process.
 *
 * Every node is a gNB with 3 cells; the xApp subscribes to its KPM function (id 2) once it sees
 * the node; the node then sends ONE RICindication per second that carries the 3 cells' report
 * (an opaque 40 B header + 450 B message: the RIC decodes E2AP, never the E2SM, so the bytes'
 * content does not change its cost).  Nodes send in 100 phases 10 ms apart, as real nodes would
 * not all report on the same millisecond.
 *
 * usrsctp has one UDP socket per process: a burst of 1,000 INITs overflows it (lost INITs cost a
 * 1 s retransmission each).  The agents therefore connect in waves of KZ_WAVE (100): the next wave
 * starts when every node of the previous one has its E2 setup answered.
 *
 * Output: key=value lines, as the rest of bench_ric.
 */
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../tests/ric/agent.h"
#include "kizuna/ric.h"
#include "kizuna/sim.h"
#include "kizuna/xapp.h"

enum { KZ_WAVE = 100, KZ_PHASES = 100 };

/* called from bench_ric.c's main */
int bench_scale_sim(int n, int seconds);
int bench_scale_udp(int n, int seconds, int port);

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* VmRSS of this process in kB (0 if /proc is unreadable). */
static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = 0;
    if (!f)
        return 0;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "VmRSS:", 6)) {
            kb = strtol(line + 6, NULL, 10);
            break;
        }
    fclose(f);
    return kb;
}

/* Bytes the allocator has handed out (heap in use + mmapped chunks). */
static double heap_bytes(void)
{
    struct mallinfo2 mi = mallinfo2();
    return (double)mi.uordblks + (double)mi.hblkhd;
}

/* ---- the nodes ----------------------------------------------------------------------------- */
typedef struct nodes {
    kz_loop *loop;
    agent *ag;
    int n, opened;
    int64_t tick, t0, ticks_max;
    kz_timer t;
    uint64_t sent, send_fail;
    uint8_t hdr[40], msg[450];
} nodes;

/* Every 10 ms: the nodes of the phases due since the last tick send their 1 s report (once
 * subscribed).  Phases follow the loop's clock, not the tick count, so a late tick catches up. */
static void nodes_send(nodes *ns, int ph, int64_t sn)
{
    for (int i = ph; i < ns->opened; i += KZ_PHASES) {
        agent *ag = &ns->ag[i];
        if (!ag->as || !ag->setup_done || !ag->sub_req)
            continue;
        kz_e2ap_pdu pdu;
        memset(&pdu, 0, sizeof pdu);
        pdu.present = kz_e2ap_E2AP_PDU_initiatingMessage;
        pdu.u.initiatingMessage.present = kz_e2ap_InitiatingMessage_RICindication;
        kz_e2ap_RICindication *ind = &pdu.u.initiatingMessage.u.RICindication;
        ind->RICrequestID = ag->last_sub;
        ind->RANfunctionID = ag->last_ranf;
        ind->RICactionID = 1;
        ind->has_RICindicationSN = true;
        ind->RICindicationSN = sn % 65536;
        ind->RICindicationType = kz_e2ap_RICindicationType_report;
        ind->RICindicationHeader.buf = ns->hdr;
        ind->RICindicationHeader.len = sizeof ns->hdr;
        ind->RICindicationMessage.buf = ns->msg;
        ind->RICindicationMessage.len = sizeof ns->msg;
        if (agent_send_pdu(ag, &pdu) == 0)
            ns->sent++;
        else
            ns->send_fail++;
    }
}

static void nodes_tick(kz_timer *t, void *ud)
{
    nodes *ns = ud;
    (void)t;
    int64_t due = (kz_loop_now(ns->loop) - ns->t0) / (10 * KZ_NS_PER_MS);
    for (; ns->tick <= due && ns->tick < ns->ticks_max; ns->tick++)
        nodes_send(ns, (int)(ns->tick % KZ_PHASES), ns->tick / KZ_PHASES);
}

static void nodes_start(nodes *ns, int seconds)
{
    ns->t0 = kz_loop_now(ns->loop);
    ns->tick = 0;
    ns->ticks_max = (int64_t)seconds * KZ_PHASES;
    kz_timer_start(&ns->t, 10 * KZ_NS_PER_MS, 10 * KZ_NS_PER_MS, nodes_tick, ns);
}

static int nodes_count(const nodes *ns, int from, int to, bool subscribed)
{
    int k = 0;
    for (int i = from; i < to; i++)
        k += ns->ag[i].setup_done && (!subscribed || ns->ag[i].sub_req > 0);
    return k;
}

static void nodes_init(nodes *ns, kz_loop *loop, int n)
{
    memset(ns, 0, sizeof *ns);
    ns->loop = loop;
    ns->n = n;
    ns->ag = calloc((size_t)n, sizeof *ns->ag);
    memset(ns->hdr, 0x11, sizeof ns->hdr);
    memset(ns->msg, 0x22, sizeof ns->msg);
    kz_timer_init(loop, &ns->t);
}

static void nodes_open(nodes *ns, int to, const char *url)
{
    for (; ns->opened < to; ns->opened++)
        agent_open(&ns->ag[ns->opened], ns->loop, url, 0x1000u + (uint32_t)ns->opened);
}

static void nodes_fini(nodes *ns)
{
    kz_timer_stop(&ns->t);
    for (int i = 0; i < ns->opened; i++)
        agent_close(&ns->ag[i]);
    free(ns->ag);
}

/* ---- the xApp ------------------------------------------------------------------------------ */
typedef struct sx {
    kz_xapp *x;
    int nodes_seen, active, failed;
    uint64_t inds;
    int64_t first_ns, last_ns;    /* of the indications (loop time) */
    kz_loop *loop;
} sx;

static const uint8_t sx_trig[] = {0x01, 0x03, 0xe8};   /* opaque: "every 1000 ms" */

static void sx_state(kz_xapp *x, const kz_xapp_sub_event *ev, void *ud)
{
    sx *s = ud;
    (void)x;
    if (ev->state == KZ_XAPP_SUB_ACTIVE)
        s->active++;
    else if (ev->state == KZ_XAPP_SUB_FAILED)
        s->failed++;
}

static void sx_ind(kz_xapp *x, const kz_xapp_indication *ind, void *ud)
{
    sx *s = ud;
    (void)x;
    (void)ind;
    int64_t t = kz_loop_now(s->loop);
    if (!s->inds)
        s->first_ns = t;
    s->last_ns = t;
    s->inds++;
}

static void sx_node(kz_xapp *x, const kz_xapp_node *n, bool up, void *ud)
{
    sx *s = ud;
    if (!up)
        return;
    s->nodes_seen++;
    kz_xapp_action act = {.id = 1, .type = 0};
    kz_xapp_sub_req req = {.node = n->id, .ran_function = 2, .trigger = sx_trig,
                           .trigger_len = sizeof sx_trig, .actions = &act, .n_actions = 1};
    kz_xapp_sub_cbs cbs = {.on_state = sx_state, .on_indication = sx_ind};
    uint32_t id;
    kz_xapp_subscribe(x, &req, &cbs, s, &id);
}

static int sx_open(sx *s, kz_loop *loop, const char *url)
{
    memset(s, 0, sizeof *s);
    s->loop = loop;
    kz_xapp_cfg xc;
    kz_xapp_cfg_default(&xc);
    xc.url = url;
    xc.name = "scale";
    kz_xapp_cbs cbs = {.on_node = sx_node};
    return kz_xapp_open(&s->x, loop, &xc, &cbs, s);
}

static void ric_cfg(kz_ric_cfg *cfg, const char **e2, const char **bus)
{
    kz_ric_cfg_default(cfg);
    cfg->e2_listen = e2;
    cfg->n_e2_listen = 1;
    cfg->bus_listen = bus;
    cfg->n_bus_listen = 1;
    cfg->log_level = KZ_RIC_LOG_ERROR;
}

/* ---- simulation ---------------------------------------------------------------------------- */
int bench_scale_sim(int n, int seconds)
{
    kz_sim_cfg sc = {.seed = 1, .latency_ns = 100000, .jitter_ns = 50000};
    kz_sim *sim;
    if (kz_sim_open(&sim, &sc) < 0)
        return 1;
    kz_loop *loop = kz_sim_loop(sim);
    const char *e2[] = {"mem://scale-e2"}, *bus[] = {"mem://scale-bus"};
    kz_ric_cfg cfg;
    ric_cfg(&cfg, e2, bus);
    long rss0 = rss_kb();
    double h0 = heap_bytes();
    kz_ric *ric;
    if (kz_ric_open(&ric, loop, &cfg) < 0)
        return 1;
    static sx x;
    sx_open(&x, loop, bus[0]);
    kz_sim_run_until(sim, kz_loop_now(loop) + 10 * KZ_NS_PER_MS);
    static nodes ns;
    nodes_init(&ns, loop, n);
    long rss1 = rss_kb();
    double h1 = heap_bytes();
    double c0 = cpu_s();
    int64_t w0 = mono_ns(), v0 = kz_loop_now(loop);
    nodes_open(&ns, n, e2[0]);   /* no UDP socket to overflow: all at once */
    while (nodes_count(&ns, 0, n, true) < n || x.active < n) {
        if (kz_loop_now(loop) - v0 > 120 * KZ_NS_PER_S)
            break;
        kz_sim_run_until(sim, kz_loop_now(loop) + 10 * KZ_NS_PER_MS);
    }
    int64_t v_setup = kz_loop_now(loop) - v0, w_setup = mono_ns() - w0;
    double c_setup = cpu_s() - c0;
    long rss2 = rss_kb();
    double h2 = heap_bytes();
    kz_ric_stats st0, st1;
    kz_ric_stats_get(ric, &st0);
    uint64_t i0 = x.inds;
    nodes_start(&ns, seconds);
    int64_t w1 = mono_ns(), v1 = kz_loop_now(loop);
    double c1 = cpu_s();
    kz_sim_run_until(sim, v1 + (int64_t)seconds * KZ_NS_PER_S + 20 * KZ_NS_PER_MS);
    kz_timer_stop(&ns.t);
    kz_sim_run_until(sim, kz_loop_now(loop) + 100 * KZ_NS_PER_MS);   /* in flight */
    double c_run = cpu_s() - c1;
    int64_t w_run = mono_ns() - w1;
    kz_ric_stats_get(ric, &st1);
    uint64_t got = x.inds - i0;
    printf("sim_nodes=%d cells_per_node=3 up=%u xapp_saw=%d subscribed=%d xapp_active=%d "
           "failed=%d subs_requested=%llu bus_bad=%llu\n", n, st1.nodes_up, x.nodes_seen,
           nodes_count(&ns, 0, n, true), x.active, x.failed,
           (unsigned long long)st1.subs_requested, (unsigned long long)st1.bus_bad_msgs);
    printf("sim_setup_virtual_s=%.3f setup_wall_s=%.2f setup_cpu_s=%.2f (E2 setup + subscription "
           "of every node, all connecting at once)\n", (double)v_setup / 1e9,
           (double)w_setup / 1e9, c_setup);
    printf("sim_report_virtual_s=%d sent=%llu delivered=%llu per_virtual_s=%.0f dropped=%llu "
           "orphan=%llu send_refused=%llu\n", seconds, (unsigned long long)ns.sent,
           (unsigned long long)got, (double)got / seconds,
           (unsigned long long)(st1.indications_dropped - st0.indications_dropped),
           (unsigned long long)(st1.indications_orphan - st0.indications_orphan),
           (unsigned long long)ns.send_fail);
    printf("sim_wall_s_per_virtual_s=%.3f cpu_s_per_virtual_s=%.3f (RIC + %d agents + xApp + "
           "simulator, one thread)\n", (double)w_run / 1e9 / seconds, c_run / seconds, n);
    printf("sim_rss_kb ric_open_xapp_in=%ld after_setup=%ld -> per_node_kb=%.1f (one process: "
           "RIC + both ends of the mem:// association + the test agent's touched buffers; the "
           "RIC alone: --scale-udp)\n", rss1, rss2, (double)(rss2 - rss1) / n);
    printf("sim_heap_bytes_per_node=%.0f (mallinfo2, same scope: mostly the agent's 1 MiB decode "
           "arena, allocated but barely touched); ric_open_rss_kb=%ld\n", (h2 - h1) / n,
           rss1 - rss0);
    (void)h0;
    int rc = (int)st1.nodes_up == n && x.active == n && got >= ns.sent ? 0 : 1;
    kz_xapp_close(x.x);
    nodes_fini(&ns);
    kz_ric_close(ric);
    kz_sim_close(sim);
    return rc;
}

/* ---- usrsctp, three processes -------------------------------------------------------------- */
static volatile sig_atomic_t g_term;
static void on_term(int s) { (void)s; g_term = 1; }

static void wait_go(int fd)
{
    char c;
    while (read(fd, &c, 1) < 0)
        ;
    close(fd);
}

static int64_t wall_rel(kz_loop *loop) { return kz_loop_now(loop); }

static int child_agents(int go, const char *url, int n, int seconds)
{
    wait_go(go);
    kz_loop *loop;
    if (kz_loop_open(&loop, NULL) < 0)
        return 1;
    static nodes ns;
    nodes_init(&ns, loop, n);
    double c0 = cpu_s();
    int64_t t0 = wall_rel(loop);
    int waves = 0, stalled = 0;
    for (int from = 0; from < n; from += KZ_WAVE) {
        int to = from + KZ_WAVE < n ? from + KZ_WAVE : n;
        nodes_open(&ns, to, url);
        waves++;
        int64_t end = kz_loop_now(loop) + 15 * KZ_NS_PER_S;
        while (nodes_count(&ns, from, to, false) < to - from && kz_loop_now(loop) < end)
            kz_loop_run_until(loop, kz_loop_now(loop) + 5 * KZ_NS_PER_MS);
        if (nodes_count(&ns, from, to, false) < to - from)
            stalled++;
    }
    int64_t t_setup = wall_rel(loop) - t0;
    int64_t end = kz_loop_now(loop) + 30 * KZ_NS_PER_S;
    while (nodes_count(&ns, 0, n, true) < n && kz_loop_now(loop) < end)
        kz_loop_run_until(loop, kz_loop_now(loop) + 5 * KZ_NS_PER_MS);
    int64_t t_sub = wall_rel(loop) - t0;
    double c_setup = cpu_s() - c0;
    printf("udp_nodes=%d cells_per_node=3 setup_done=%d subscribed=%d waves=%d of %d "
           "stalled_waves=%d\n", n, nodes_count(&ns, 0, n, false), nodes_count(&ns, 0, n, true),
           waves, KZ_WAVE, stalled);
    printf("udp_setup_s=%.2f (E2 setup of all nodes, in waves) setup_plus_subscription_s=%.2f "
           "agents_cpu_s=%.2f\n", (double)t_setup / 1e9, (double)t_sub / 1e9, c_setup);
    fflush(stdout);
    double c1 = cpu_s();
    nodes_start(&ns, seconds);
    kz_loop_run_until(loop, kz_loop_now(loop) + (int64_t)seconds * KZ_NS_PER_S + 20 * KZ_NS_PER_MS);
    kz_timer_stop(&ns.t);
    int downs = 0;
    for (int i = 0; i < n; i++)
        downs += ns.ag[i].downs;
    printf("udp_agents_sent=%llu send_refused=%llu assoc_losses=%d agents_cpu_pct=%.1f "
           "(%d nodes in one process)\n", (unsigned long long)ns.sent,
           (unsigned long long)ns.send_fail, downs, 100.0 * (cpu_s() - c1) / seconds, n);
    fflush(stdout);
    kz_loop_run_until(loop, kz_loop_now(loop) + 300 * KZ_NS_PER_MS);
    nodes_fini(&ns);
    kz_loop_close(loop);
    return 0;
}

static int child_xapp(int go, const char *url, int n)
{
    wait_go(go);
    signal(SIGTERM, on_term);
    kz_loop *loop;
    if (kz_loop_open(&loop, NULL) < 0)
        return 1;
    static sx x;
    sx_open(&x, loop, url);
    double c0 = cpu_s();
    while (!g_term)
        kz_loop_run_until(loop, kz_loop_now(loop) + 20 * KZ_NS_PER_MS);
    double span = (double)(x.last_ns - x.first_ns) / 1e9;
    printf("udp_xapp nodes_seen=%d active=%d failed=%d indications=%llu over_s=%.2f "
           "rate_per_s=%.0f (expected %d/s) xapp_cpu_s=%.2f\n", x.nodes_seen, x.active, x.failed,
           (unsigned long long)x.inds, span, span > 0 ? (double)x.inds / span : 0.0, n,
           cpu_s() - c0);
    fflush(stdout);
    kz_xapp_close(x.x);
    kz_loop_close(loop);
    return 0;
}

int bench_scale_udp(int n, int seconds, int port)
{
    char e2url[64], busurl[64];
    snprintf(e2url, sizeof e2url, "sctp+udp://127.0.0.1:%d", port);
    snprintf(busurl, sizeof busurl, "unix://@kizuna-scale-%d", (int)getpid());
    int pa[2], px[2];
    if (pipe(pa) < 0 || pipe(px) < 0)
        return 1;
    fflush(stdout);
    pid_t xa = fork();
    if (xa == 0) {
        close(pa[0]); close(pa[1]); close(px[1]);
        _exit(child_xapp(px[0], busurl, n));
    }
    pid_t ag = fork();
    if (ag == 0) {
        close(px[0]); close(px[1]); close(pa[1]);
        _exit(child_agents(pa[0], e2url, n, seconds));
    }
    close(pa[0]);
    close(px[0]);
    long rss0 = rss_kb();
    kz_loop *loop;
    kz_loop_open(&loop, NULL);
    const char *e2[] = {e2url}, *bus[] = {busurl};
    kz_ric_cfg cfg;
    ric_cfg(&cfg, e2, bus);
    kz_ric *ric;
    if (kz_ric_open(&ric, loop, &cfg) < 0) {
        fprintf(stderr, "bench_ric: cannot open the RIC on %s\n", e2url);
        kill(xa, SIGKILL);
        kill(ag, SIGKILL);
        return 1;
    }
    if (write(px[1], "g", 1) != 1)
        return 1;
    close(px[1]);
    kz_loop_run_until(loop, kz_loop_now(loop) + 200 * KZ_NS_PER_MS);   /* the xApp is in */
    long rss1 = rss_kb();
    double h1 = heap_bytes();
    double c0 = cpu_s();
    if (write(pa[1], "g", 1) != 1)
        return 1;
    close(pa[1]);
    kz_ric_stats st;
    long rss2 = 0;
    double h2 = 0, c_setup = 0, c1 = 0;
    int64_t t_full = 0, t0 = kz_loop_now(loop);
    kz_ric_stats s_full;
    memset(&s_full, 0, sizeof s_full);
    int status = 0;
    for (;;) {
        kz_loop_run_until(loop, kz_loop_now(loop) + 10 * KZ_NS_PER_MS);
        kz_ric_stats_get(ric, &st);
        if (!t_full && st.nodes_up == (uint32_t)n && st.e2_subs == (uint32_t)n &&
            st.subs_ok >= (uint64_t)n) {
            t_full = kz_loop_now(loop) - t0;
            rss2 = rss_kb();
            h2 = heap_bytes();
            c_setup = cpu_s() - c0;
            c1 = cpu_s();
            s_full = st;
        }
        if (waitpid(ag, &status, WNOHANG) == ag)
            break;
    }
    int64_t t_end = kz_loop_now(loop) - t0;
    double c_run = c1 ? cpu_s() - c1 : 0;
    kz_loop_run_until(loop, kz_loop_now(loop) + 500 * KZ_NS_PER_MS);
    kz_ric_stats_get(ric, &st);
    kill(xa, SIGTERM);
    while (waitpid(xa, NULL, 0) < 0)
        ;
    double run_s = (double)(t_end - t_full) / 1e9;
    printf("udp_ric nodes_up_max=%u e2_subs=%u setups_ok=%llu subs_ok=%llu all_up_and_subscribed_"
           "after_s=%.2f ric_cpu_setup_s=%.2f\n", s_full.nodes_up, s_full.e2_subs,
           (unsigned long long)st.setups_ok, (unsigned long long)st.subs_ok,
           (double)t_full / 1e9, c_setup);
    printf("udp_ric indications_rx=%llu routed=%llu dropped=%llu orphan=%llu bad_pdus=%llu "
           "ric_cpu_pct_while_reporting=%.1f (over %.1f s)\n",
           (unsigned long long)st.indications_rx, (unsigned long long)st.indications_routed,
           (unsigned long long)st.indications_dropped, (unsigned long long)st.indications_orphan,
           (unsigned long long)st.e2_bad_pdus, run_s > 0 ? 100.0 * c_run / run_s : 0.0, run_s);
    printf("udp_ric_rss_kb before_open=%ld ric_listening_xapp_in=%ld all_nodes_subscribed=%ld "
           "-> per_node_kb=%.1f; heap_per_node_bytes=%.0f (mallinfo2: RIC + usrsctp)\n", rss0,
           rss1, rss2, rss2 ? (double)(rss2 - rss1) / n : 0.0, h2 ? (h2 - h1) / n : 0.0);
    kz_ric_close(ric);
    kz_loop_close(loop);
    return t_full && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
