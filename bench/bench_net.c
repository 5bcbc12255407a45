/*
 * bench_net.c -- messages per second and round-trip latency of the runtime's transports.
 *
 * How it measures (printed with the results):
 *  - ping-pong: a client and an echo server in this process on one kz_loop (wall clock).  Each
 *    association keeps exactly one 200-byte message in flight (PPID 70); RTT is taken with
 *    CLOCK_MONOTONIC from just before kz_assoc_send() to the echo's on_msg.  msg/s counts both
 *    directions (2 messages per round trip) over the whole run, after a warm-up.
 *  - over usrsctp both ends share the process's one usrsctp stack and UDP port (127.0.0.1), so
 *    every message crosses loopback UDP twice per round trip and usrsctp's threads hand it to the
 *    loop through the eventfd.
 *  - in-memory cost per message: one association, a burst of 1,000,000 one-way 200-byte messages
 *    (sent in batches of 64 and delivered by the loop), total time / messages.  That is the whole
 *    path: kz_assoc_send, copy, pipe, timer, on_msg.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kizuna/error.h"
#include "kizuna/loop.h"
#include "kizuna/transport.h"

#define MSG_SIZE 200

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * KZ_NS_PER_S + ts.tv_nsec;
}

typedef struct peer {
    kz_assoc *a;
    int64_t t_sent;
    int rounds;
    bool up;
} peer;

typedef struct bench {
    kz_loop *loop;
    uint8_t msg[MSG_SIZE];
    int rounds, warmup, ups, done, assocs;
    int64_t *rtt;
    size_t nrtt;
    int64_t t_start;
    bool sink;          /* one-way mode: the server only counts */
    uint64_t sunk;
} bench;

static void srv_up(kz_assoc *a, void *ud) { (void)a; (void)ud; }
static void srv_msg(kz_assoc *a, const kz_msg *m, void *ud)
{
    bench *b = ud;
    if (b->sink) {
        b->sunk++;
        return;
    }
    kz_assoc_send(a, m);
}
static void srv_down(kz_assoc *a, int r, void *ud) { (void)a; (void)r; (void)ud; }

static void ping(bench *b, peer *p)
{
    kz_msg m = {.data = b->msg, .len = MSG_SIZE, .ppid = KZ_E2AP_PPID, .stream = 0};
    p->t_sent = mono_ns();
    if (kz_assoc_send(p->a, &m) < 0) {
        fprintf(stderr, "send failed\n");
        exit(1);
    }
}

static void cli_up(kz_assoc *a, void *ud)
{
    bench *b = ud;
    peer *p = kz_assoc_ud(a);
    p->up = true;
    if (++b->ups == b->assocs)
        kz_loop_stop(b->loop);
}

static void cli_msg(kz_assoc *a, const kz_msg *m, void *ud)
{
    bench *b = ud;
    peer *p = kz_assoc_ud(a);
    (void)m;
    int64_t now = mono_ns();
    if (p->rounds >= b->warmup)
        b->rtt[b->nrtt++] = now - p->t_sent;
    else if (p->rounds == b->warmup - 1 && b->t_start == 0)
        b->t_start = now;
    if (++p->rounds < b->rounds + b->warmup)
        ping(b, p);
    else if (++b->done == b->assocs)
        kz_loop_stop(b->loop);
}

static void cli_down(kz_assoc *a, int r, void *ud)
{
    (void)a;
    (void)ud;
    fprintf(stderr, "association down during the bench (%d)\n", r);
    exit(1);
}

static int cmp64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

static void pingpong(const char *what, const char *url, int assocs, int rounds)
{
    bench b = {.rounds = rounds, .warmup = 20, .assocs = assocs};
    memset(b.msg, 0x5a, sizeof b.msg);
    b.rtt = malloc(sizeof *b.rtt * (size_t)rounds * (size_t)assocs);
    peer *ps = calloc((size_t)assocs, sizeof *ps);
    if (kz_loop_open(&b.loop, NULL) < 0)
        exit(1);
    kz_transport_cfg cfg;
    kz_transport_cfg_default(&cfg);
    cfg.dead_peer_ms = 10000;
    kz_transport_cbs scb = {srv_up, srv_msg, srv_down, NULL}, ccb = {cli_up, cli_msg, cli_down, NULL};
    kz_transport *srv, *cli;
    int rc;
    if ((rc = kz_transport_open(&srv, b.loop, &cfg, &scb, &b)) < 0 ||
        (rc = kz_transport_listen(srv, url)) < 0 ||
        (rc = kz_transport_open(&cli, b.loop, &cfg, &ccb, &b)) < 0) {
        printf("%-34s skipped: %s (%d)\n", what, url, rc);
        kz_loop_close(b.loop);
        return;
    }
    for (int i = 0; i < assocs; i++) {
        kz_transport_connect(cli, url, &ps[i].a);
        kz_assoc_set_ud(ps[i].a, &ps[i]);
    }
    kz_loop_run_until(b.loop, kz_loop_now(b.loop) + 30 * KZ_NS_PER_S);   /* all up */
    if (b.ups != assocs) {
        printf("%-34s only %d/%d associations came up\n", what, b.ups, assocs);
        exit(1);
    }
    for (int i = 0; i < assocs; i++)
        ping(&b, &ps[i]);
    int64_t t0 = mono_ns();
    kz_loop_run_until(b.loop, kz_loop_now(b.loop) + 120 * KZ_NS_PER_S);
    int64_t t1 = mono_ns();
    if (b.t_start == 0)
        b.t_start = t0;
    double secs = (t1 - b.t_start) / 1e9;
    qsort(b.rtt, b.nrtt, sizeof *b.rtt, cmp64);
    printf("%-34s %9.0f msg/s  RTT p50 %7.1f us  p99 %7.1f us  (%zu round trips)\n", what,
           2.0 * (double)b.nrtt / secs, b.rtt[b.nrtt / 2] / 1e3, b.rtt[b.nrtt * 99 / 100] / 1e3,
           b.nrtt);
    kz_transport_close(cli);
    kz_transport_close(srv);
    kz_loop_run(b.loop, KZ_RUN_NOWAIT);
    kz_loop_close(b.loop);
    free(b.rtt);
    free(ps);
}

static void up_stop(kz_assoc *a, void *ud)
{
    (void)a;
    kz_loop_stop(((bench *)ud)->loop);
}

static void mem_one_way(void)
{
    bench b = {.sink = true};
    memset(b.msg, 0x5a, sizeof b.msg);
    kz_loop_open(&b.loop, NULL);
    kz_transport_cfg cfg;
    kz_transport_cfg_default(&cfg);
    kz_transport_cbs scb = {srv_up, srv_msg, srv_down, NULL}, ccb = {up_stop, srv_msg, cli_down, NULL};
    kz_transport *srv, *cli;
    kz_transport_open(&srv, b.loop, &cfg, &scb, &b);
    kz_transport_listen(srv, "mem://oneway");
    kz_transport_open(&cli, b.loop, &cfg, &ccb, &b);
    kz_assoc *a;
    kz_transport_connect(cli, "mem://oneway", &a);
    kz_loop_run_until(b.loop, kz_loop_now(b.loop) + KZ_NS_PER_S);
    const uint64_t n = 1000000;
    kz_msg m = {.data = b.msg, .len = MSG_SIZE, .ppid = KZ_E2AP_PPID};
    int64_t t0 = mono_ns();
    for (uint64_t i = 0; i < n; i += 64) {
        for (int k = 0; k < 64; k++)
            kz_assoc_send(a, &m);
        kz_loop_run(b.loop, KZ_RUN_NOWAIT);
    }
    while (b.sunk < n)
        kz_loop_run(b.loop, KZ_RUN_NOWAIT);
    int64_t t1 = mono_ns();
    printf("%-34s %9.0f msg/s  %.0f ns per message (send + copy + deliver), %llu messages\n",
           "mem:// one-way, 1 assoc", n / ((t1 - t0) / 1e9), (double)(t1 - t0) / (double)n,
           (unsigned long long)b.sunk);
    kz_transport_close(cli);
    kz_transport_close(srv);
    kz_loop_close(b.loop);
}

int main(void)
{
    printf("200-byte messages, PPID 70, one loop thread per run; see bench/bench_net.c for the "
           "method.\n");
    mem_one_way();
    pingpong("mem:// ping-pong, 1 assoc", "mem://bench", 1, 200000);
    pingpong("mem:// ping-pong, 100 assocs", "mem://bench", 100, 2000);
    /* usrsctp: one stack per process, so both usrsctp runs share it; UDP port chosen here */
    char url[64];
    snprintf(url, sizeof url, "sctp+udp://127.0.0.1:%u", 20000u + (unsigned)(time(NULL) % 20000));
    pingpong("sctp+udp:// ping-pong, 1 assoc", url, 1, 5000);
    pingpong("sctp+udp:// ping-pong, 100 assocs", url, 100, 200);
    return 0;
}
