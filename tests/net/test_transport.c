/*
 * test_transport.c -- one test body for every transport backend (kizuna/transport.h).
 *
 *   test_transport mem    in-memory (wall clock)
 *   test_transport udp    SCTP over UDP via usrsctp on 127.0.0.1 (both ends in this process,
 *                         plus a kizuna-echo child process for the crash test)
 *   test_transport sctp   kernel SCTP on 127.0.0.1; exits 77 (skipped) where the kernel has none
 *
 * Shows: connect/accept; 1 byte to 64 KiB messages with PPID and stream preserved; refusal; many
 * concurrent associations (KZ_NET_ASSOCS, default 1000); orderly close and abort seen by the peer;
 * a paused (slow) reader that fills only its own association's queue; a crashed peer detected
 * within a bound and a reconnect.  Every wait is bounded (SPIN), and CTest adds a TIMEOUT.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kizuna/error.h"
#include "kizuna/loop.h"
#include "kizuna/transport.h"

#ifndef IPPROTO_SCTP
#define IPPROTO_SCTP 132
#endif

typedef struct cstate {      /* per client association */
    int up, down, reason, msgs;
    int64_t t_down;
    uint8_t last[70000];
    size_t last_len;
    uint32_t last_ppid;
    uint16_t last_stream;
    int writable;
} cstate;

static struct {
    const char *kind;
    char url[128];       /* the server's address */
    char dead_url[128];  /* an address nobody listens on */
    kz_loop *loop;
    kz_transport *srv, *cli;
    int srv_up, srv_down, srv_last_reason, srv_msgs;
    kz_assoc *srv_last_up;
    kz_assoc *paused;    /* server side of the slow-reader association */
    int n_assocs;
} G;

#define SPIN(cond, ms)                                                                            \
    do {                                                                                          \
        kz_timer guard_;                                                                          \
        kz_timer_init(G.loop, &guard_);                                                           \
        kz_timer_start(&guard_, (int64_t)(ms) * KZ_NS_PER_MS, 0, guard_cb, NULL);                 \
        int64_t end_ = kz_loop_now(G.loop) + (int64_t)(ms) * KZ_NS_PER_MS;                        \
        while (!(cond) && kz_loop_now(G.loop) < end_)                                             \
            kz_loop_run(G.loop, KZ_RUN_ONCE);                                                     \
        kz_timer_stop(&guard_);                                                                   \
    } while (0)

/* The error table's names, without linking the codecs (kz_strerror lives in kz_proto). */
static const char *errname(int code)
{
    switch (code) {
    case 0: return "ok";
#define X_(name, c, text) case c: return "KZ_E" #name;
    KZ_ERRNO_MAP(X_)
#undef X_
    default: return "?";
    }
}

static void guard_cb(kz_timer *t, void *ud)
{
    (void)t;
    (void)ud;
}

/* ---- server: echo (except messages starting with 'S', which it only counts) ---------------- */
static void srv_up(kz_assoc *a, void *ud)
{
    (void)ud;
    G.srv_up++;
    G.srv_last_up = a;
}

static void srv_msg(kz_assoc *a, const kz_msg *m, void *ud)
{
    (void)ud;
    G.srv_msgs++;
    if (m->data[0] == 'P') {            /* "pause me": become a slow reader */
        G.paused = a;
        kz_assoc_pause(a, true);
        return;
    }
    if (m->data[0] == 'S')
        return;
    int rc = kz_assoc_send(a, m);
    assert_true(rc == 0 || rc == KZ_EAGAIN);
}

static void srv_down(kz_assoc *a, int reason, void *ud)
{
    (void)ud;
    G.srv_down++;
    G.srv_last_reason = reason;
    if (a == G.paused)
        G.paused = NULL;
    if (a == G.srv_last_up)
        G.srv_last_up = NULL;
}

/* ---- client --------------------------------------------------------------------------------- */
static void cli_up(kz_assoc *a, void *ud)
{
    (void)ud;
    cstate *c = kz_assoc_ud(a);
    if (c)
        c->up++;
}

static void cli_msg(kz_assoc *a, const kz_msg *m, void *ud)
{
    (void)ud;
    cstate *c = kz_assoc_ud(a);
    if (!c)
        return;
    c->msgs++;
    c->last_len = m->len;
    c->last_ppid = m->ppid;
    c->last_stream = m->stream;
    if (m->len <= sizeof c->last)
        memcpy(c->last, m->data, m->len);
}

static void cli_down(kz_assoc *a, int reason, void *ud)
{
    (void)ud;
    cstate *c = kz_assoc_ud(a);
    if (!c)
        return;
    c->down++;
    c->reason = reason;
    c->t_down = kz_loop_now(G.loop);
}

static void cli_writable(kz_assoc *a, void *ud)
{
    (void)ud;
    cstate *c = kz_assoc_ud(a);
    if (c)
        c->writable++;
}

static const kz_transport_cbs srv_cbs = {srv_up, srv_msg, srv_down, NULL};
static const kz_transport_cbs cli_cbs = {cli_up, cli_msg, cli_down, cli_writable};

static uint16_t free_udp_port(void)
{
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    bind(s, (struct sockaddr *)&a, sizeof a);
    getsockname(s, (struct sockaddr *)&a, &len);
    close(s);
    return ntohs(a.sin_port);
}

static kz_transport_cfg test_cfg(void)
{
    kz_transport_cfg cfg;
    kz_transport_cfg_default(&cfg);
    cfg.dead_peer_ms = 1500;    /* crash detection bound for this test */
    cfg.connect_ms = 3000;
    cfg.sndq_bytes = 256 * 1024;
    cfg.rcvbuf_bytes = 128 * 1024;
    return cfg;
}

static int setup(void **state)
{
    (void)state;
    if (kz_loop_open(&G.loop, NULL) < 0)
        return -1;
    kz_transport_cfg cfg = test_cfg();
    if (!strcmp(G.kind, "mem")) {
        snprintf(G.url, sizeof G.url, "mem://ric");
        snprintf(G.dead_url, sizeof G.dead_url, "mem://nobody");
    } else if (!strcmp(G.kind, "udp")) {
        uint16_t p = free_udp_port();
        snprintf(G.url, sizeof G.url, "sctp+udp://127.0.0.1:%u", p);
        snprintf(G.dead_url, sizeof G.dead_url, "sctp+udp://127.0.0.1:%u", p);
        cfg.sctp_port = 36421;
    } else {
        snprintf(G.url, sizeof G.url, "sctp://127.0.0.1:%u", 20000u + (unsigned)(getpid() % 20000));
        snprintf(G.dead_url, sizeof G.dead_url, "sctp://127.0.0.1:%u", 19999u);
    }
    if (kz_transport_open(&G.srv, G.loop, &cfg, &srv_cbs, NULL) < 0)
        return -1;
    int rc = kz_transport_listen(G.srv, G.url);
    if (rc < 0) {
        fprintf(stderr, "listen %s: %d\n", G.url, rc);
        return -1;
    }
    return kz_transport_open(&G.cli, G.loop, &cfg, &cli_cbs, NULL);
}

static int teardown(void **state)
{
    (void)state;
    kz_transport_close(G.cli);
    kz_transport_close(G.srv);
    kz_loop_run(G.loop, KZ_RUN_NOWAIT);
    int rc = kz_loop_close(G.loop);
    return rc == 0 ? 0 : -1;
}

static cstate *connect_via(kz_transport *t, kz_assoc **out, const char *url)
{
    cstate *c = calloc(1, sizeof *c);
    kz_assoc *a = NULL;
    assert_int_equal(kz_transport_connect(t, url, &a), 0);
    kz_assoc_set_ud(a, c);
    *out = a;
    return c;
}

static cstate *connect_one(kz_assoc **out, const char *url)
{
    return connect_via(G.cli, out, url);
}

static void finish(kz_assoc *a, cstate *c)
{
    if (!c->down) {
        int sd = G.srv_down;
        kz_assoc_close(a);
        SPIN(c->down && G.srv_down > sd, 5000);
        assert_int_equal(c->down, 1);
        assert_int_equal(c->reason, 0);
    }
    free(c);
}

/* ---- tests ---------------------------------------------------------------------------------- */
static void test_connect_accept(void **state)
{
    (void)state;
    kz_assoc *a;
    int up0 = G.srv_up;
    cstate *c = connect_one(&a, G.url);
    assert_false(kz_assoc_is_up(a));
    SPIN(c->up && G.srv_up > up0, 3000);
    assert_int_equal(c->up, 1);
    assert_int_equal(G.srv_up, up0 + 1);
    assert_true(kz_assoc_is_up(a));
    assert_true(kz_assoc_streams(a) >= 1);
    assert_true(strlen(kz_assoc_peer(a)) > 0);
    assert_true(strlen(kz_assoc_peer(G.srv_last_up)) > 0);
    print_message("client peer %s, server peer %s, %u streams\n", kz_assoc_peer(a),
                  kz_assoc_peer(G.srv_last_up), kz_assoc_streams(a));
    finish(a, c);
}

static void test_sizes(void **state)
{
    (void)state;
    static const size_t sizes[] = {1, 2, 100, 1000, 1452, 4096, 9000, 16384, 65535, 65536};
    static uint8_t buf[65536];
    kz_assoc *a;
    cstate *c = connect_one(&a, G.url);
    SPIN(c->up, 3000);
    assert_int_equal(c->up, 1);
    uint16_t ns = kz_assoc_streams(a);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t n = sizes[i];
        for (size_t k = 0; k < n; k++)
            buf[k] = (uint8_t)(k * 7 + i);
        buf[0] = 'E';
        kz_msg m = {.data = buf, .len = n, .ppid = KZ_E2AP_PPID + (uint32_t)i,
                    .stream = (uint16_t)(i % ns)};
        int before = c->msgs;
        assert_int_equal(kz_assoc_send(a, &m), 0);
        SPIN(c->msgs > before, 3000);
        assert_int_equal(c->msgs, before + 1);
        assert_int_equal(c->last_len, n);
        assert_int_equal(c->last_ppid, KZ_E2AP_PPID + i);
        assert_int_equal(c->last_stream, i % ns);
        assert_memory_equal(c->last, buf, n);
    }
    kz_msg bad = {.data = buf, .len = 1, .ppid = 70, .stream = ns};
    assert_int_equal(kz_assoc_send(a, &bad), KZ_EINVAL);
    finish(a, c);
}

static void test_refused(void **state)
{
    (void)state;
    kz_transport *t;
    kz_transport_cfg cfg = test_cfg();
    cfg.sctp_port = 36499;   /* sctp+udp: right tunnel, SCTP port nobody listens on */
    assert_int_equal(kz_transport_open(&t, G.loop, &cfg, &cli_cbs, NULL), 0);
    cstate c = {0};
    kz_assoc *a;
    assert_int_equal(kz_transport_connect(t, G.dead_url, &a), 0);
    kz_assoc_set_ud(a, &c);
    SPIN(c.down, 5000);
    assert_int_equal(c.up, 0);
    assert_int_equal(c.down, 1);
    assert_true(c.reason == KZ_ECLOSED || c.reason == KZ_ETIMEOUT);
    print_message("refused: %s\n", errname(c.reason));
    kz_transport_close(t);
    assert_int_equal(kz_transport_connect(G.cli, "tcp://x:1", &a), KZ_EINVAL);
    assert_int_equal(kz_transport_connect(G.cli, "sctp+udp://127.0.0.1:0", &a), KZ_EINVAL);
}

enum field { F_UP, F_MSGS, F_DOWN };
static int sum(cstate **cs, int n, enum field f)
{
    int t = 0;
    for (int i = 0; i < n; i++)
        t += f == F_UP ? cs[i]->up : f == F_MSGS ? cs[i]->msgs : cs[i]->down;
    return t;
}

static void test_many(void **state)
{
    (void)state;
    int n = G.n_assocs;
    kz_assoc **as = calloc((size_t)n, sizeof *as);
    cstate **cs = calloc((size_t)n, sizeof *cs);
    /* a pair of transports with a relaxed dead-peer bound: 2,000 sockets heartbeating every
     * 190 ms (dead_peer_ms 1500) is more than this 2-core host's usrsctp threads keep up with */
    kz_transport_cfg cfg = test_cfg();
    cfg.dead_peer_ms = 10000;
    cfg.sctp_port = 36422;
    char url[128];
    if (!strcmp(G.kind, "mem"))
        snprintf(url, sizeof url, "mem://many");
    else if (!strcmp(G.kind, "udp"))
        snprintf(url, sizeof url, "%s", G.url);   /* same UDP tunnel, SCTP port 36422 */
    else
        snprintf(url, sizeof url, "sctp://127.0.0.1:%u", 21000u + (unsigned)(getpid() % 20000));
    kz_transport *srv, *cli;
    assert_int_equal(kz_transport_open(&srv, G.loop, &cfg, &srv_cbs, NULL), 0);
    assert_int_equal(kz_transport_listen(srv, url), 0);
    assert_int_equal(kz_transport_open(&cli, G.loop, &cfg, &cli_cbs, NULL), 0);
    int up0 = G.srv_up, down0 = G.srv_down;
    int64_t t0 = kz_loop_now(G.loop);
    /* in waves of 100, as nodes arriving over a few seconds would (a single burst of 1,000
     * INITs overflows usrsctp's one UDP socket on this 2-core host) */
    for (int w = 0; w < n; w += 100) {
        int hi = w + 100 < n ? w + 100 : n;
        for (int i = w; i < hi; i++)
            cs[i] = connect_via(cli, &as[i], url);
        SPIN(sum(cs, hi, F_UP) + sum(cs, hi, F_DOWN) == hi, 10000);
    }
    SPIN(sum(cs, n, F_UP) == n, 10000);
    int ups = sum(cs, n, F_UP);
    if (ups != n) {
        int downs = sum(cs, n, F_DOWN), r[20] = {0};
        for (int i = 0; i < n; i++)
            if (cs[i]->down)
                r[-cs[i]->reason]++;
        print_message("%d up, %d down (closed %d, timeout %d, io %d) after %.0f ms\n", ups, downs,
                      r[-KZ_ECLOSED], r[-KZ_ETIMEOUT], r[-KZ_EIO], (kz_loop_now(G.loop) - t0) / 1e6);
    }
    int64_t t1 = kz_loop_now(G.loop);
    assert_int_equal(ups, n);
    assert_int_equal(G.srv_up - up0, n);
    assert_int_equal(kz_transport_assoc_count(cli), (size_t)n);
    uint8_t msg[200];
    memset(msg, 'E', sizeof msg);
    int sm0 = G.srv_msgs;
    for (int w = 0; w < n; w += 100) {   /* 100 messages in flight at a time */
        int hi = w + 100 < n ? w + 100 : n;
        for (int i = w; i < hi; i++) {
            memcpy(msg + 1, &i, sizeof i);
            kz_msg m = {.data = msg, .len = sizeof msg, .ppid = KZ_E2AP_PPID, .stream = 0};
            assert_int_equal(kz_assoc_send(as[i], &m), 0);
        }
        SPIN(sum(cs, hi, F_MSGS) == hi, 10000);
    }
    int got = sum(cs, n, F_MSGS);
    if (got != n)
        print_message("%d echoes back, server got %d, %d client downs, %d server downs\n", got,
                      G.srv_msgs - sm0, sum(cs, n, F_DOWN), G.srv_down);
    assert_int_equal(got, n);
    for (int i = 0; i < n; i++) {
        int v;
        memcpy(&v, cs[i]->last + 1, sizeof v);
        assert_int_equal(v, i);   /* each echo came back on its own association */
    }
    int64_t t2 = kz_loop_now(G.loop);
    for (int i = 0; i < n; i++)
        kz_assoc_close(as[i]);
    SPIN(sum(cs, n, F_DOWN) == n && G.srv_down - down0 == n, 30000);
    int downs = sum(cs, n, F_DOWN);
    assert_int_equal(downs, n);
    assert_int_equal(G.srv_down - down0, n);
    for (int i = 0; i < n; i++) {
        assert_int_equal(cs[i]->reason, 0);
        free(cs[i]);
    }
    print_message("%d associations: all up in %.0f ms, %d echoes in %.0f ms, closed in %.0f ms\n",
                  n, (t1 - t0) / 1e6, n, (t2 - t1) / 1e6, (kz_loop_now(G.loop) - t2) / 1e6);
    free(as);
    free(cs);
    kz_transport_close(cli);
    kz_transport_close(srv);
}

static void test_abort_seen_by_peer(void **state)
{
    (void)state;
    kz_assoc *a;
    cstate *c = connect_one(&a, G.url);
    int up0 = G.srv_up;
    SPIN(c->up && G.srv_up > up0, 3000);
    assert_int_equal(c->up, 1);
    int d0 = G.srv_down;
    kz_assoc_abort(a);
    assert_int_equal(c->down, 0);   /* never from inside the call */
    SPIN(c->down && G.srv_down > d0, 3000);
    assert_int_equal(c->down, 1);
    assert_int_equal(c->reason, KZ_ECLOSED);
    assert_int_equal(G.srv_down, d0 + 1);
    assert_int_equal(G.srv_last_reason, KZ_ECLOSED);
    free(c);

    /* and the other way round: the server aborts */
    c = connect_one(&a, G.url);
    up0 = G.srv_up;
    SPIN(c->up && G.srv_up > up0, 3000);
    assert_non_null(G.srv_last_up);
    kz_assoc_abort(G.srv_last_up);
    SPIN(c->down, 3000);
    assert_int_equal(c->down, 1);
    assert_int_equal(c->reason, KZ_ECLOSED);
    free(c);
}

static void test_slow_reader(void **state)
{
    (void)state;
    kz_assoc *a, *b;
    cstate *ca = connect_one(&a, G.url), *cb = connect_one(&b, G.url);
    SPIN(ca->up && cb->up, 3000);
    assert_true(ca->up && cb->up);
    static uint8_t big[4096];
    big[0] = 'P';
    kz_msg m = {.data = big, .len = 1, .ppid = KZ_E2AP_PPID};
    assert_int_equal(kz_assoc_send(a, &m), 0);
    SPIN(G.paused != NULL, 3000);
    assert_non_null(G.paused);

    /* flood A until backpressure */
    memset(big, 'S', sizeof big);
    m.len = sizeof big;
    int accepted = 0, rc = 0;
    for (int i = 0; i < 100000 && rc == 0; i++) {
        rc = kz_assoc_send(a, &m);
        if (rc == 0)
            accepted++;
        if (i % 16 == 0)
            kz_loop_run(G.loop, KZ_RUN_NOWAIT);
    }
    assert_int_equal(rc, KZ_EAGAIN);
    kz_assoc_stats st;
    kz_assoc_stats_get(a, &st);
    assert_true(st.send_refused >= 1);
    assert_true(st.sndq_bytes <= 256 * 1024);
    print_message("slow reader: %d x 4 KiB accepted before KZ_EAGAIN, %zu bytes queued\n", accepted,
                  st.sndq_bytes);

    /* B is not blocked */
    uint8_t e[200];
    memset(e, 'E', sizeof e);
    kz_msg mb = {.data = e, .len = sizeof e, .ppid = KZ_E2AP_PPID};
    for (int i = 0; i < 20; i++) {
        int before = cb->msgs;
        assert_int_equal(kz_assoc_send(b, &mb), 0);
        SPIN(cb->msgs > before, 2000);
        assert_int_equal(cb->msgs, before + 1);
    }

    /* the reader catches up: nothing accepted is lost, and A's sender hears on_writable */
    kz_assoc_stats srv_st;
    kz_assoc_stats_get(G.paused, &srv_st);
    uint64_t want = srv_st.msgs_recv - 0;   /* 'P' already counted */
    kz_assoc_pause(G.paused, false);
    SPIN((kz_assoc_stats_get(G.paused, &srv_st), srv_st.msgs_recv >= want + (uint64_t)accepted &&
                                                    ca->writable > 0), 10000);
    assert_int_equal(srv_st.msgs_recv, want + (uint64_t)accepted);
    assert_true(ca->writable >= 1);
    finish(a, ca);
    finish(b, cb);
}

static pid_t spawn_echo(const char *url)
{
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0)
            dup2(devnull, 1);
        execl(KZ_ECHO_BIN, "kizuna-echo", "server", url, (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* Connect with retries (the peer may still be starting); returns the association once up. */
static kz_assoc *connect_retry(const char *url, cstate **out, int ms)
{
    int64_t end = kz_loop_now(G.loop) + (int64_t)ms * KZ_NS_PER_MS;
    while (kz_loop_now(G.loop) < end) {
        kz_assoc *a;
        cstate *c = connect_one(&a, url);
        SPIN(c->up || c->down, 3000);
        if (c->up) {
            *out = c;
            return a;
        }
        if (!c->down) {
            kz_assoc_abort(a);
            SPIN(c->down, 1000);
        }
        free(c);
        SPIN(false, 100);
    }
    return NULL;
}

static void test_crash_reconnect(void **state)
{
    (void)state;
    char url[128];
    pid_t pid = -1;
    kz_transport *peer = NULL;
    const char *what;
    if (!strcmp(G.kind, "mem")) {
        /* the "peer process" is a second transport that we close without a word */
        snprintf(url, sizeof url, "mem://crashy");
        kz_transport_cfg cfg = test_cfg();
        assert_int_equal(kz_transport_open(&peer, G.loop, &cfg, &srv_cbs, NULL), 0);
        assert_int_equal(kz_transport_listen(peer, url), 0);
        what = "transport closed";
    } else if (!strcmp(G.kind, "udp")) {
        snprintf(url, sizeof url, "sctp+udp://127.0.0.1:%u", free_udp_port());
        pid = spawn_echo(url);
        assert_true(pid > 0);
        what = "kill -9 of kizuna-echo";
    } else {
        snprintf(url, sizeof url, "sctp://127.0.0.1:%u", 40000u + (unsigned)(getpid() % 20000));
        pid = spawn_echo(url);
        what = "kill -9 of kizuna-echo";
    }
    cstate *c;
    kz_assoc *a = connect_retry(url, &c, 10000);
    assert_non_null(a);
    uint8_t e[200];
    memset(e, 'E', sizeof e);
    kz_msg m = {.data = e, .len = sizeof e, .ppid = KZ_E2AP_PPID};
    assert_int_equal(kz_assoc_send(a, &m), 0);
    SPIN(c->msgs == 1, 3000);
    assert_int_equal(c->msgs, 1);

    /* crash */
    int64_t t_crash = kz_loop_now(G.loop);
    if (pid > 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    } else {
        kz_transport_close(peer);
        peer = NULL;
    }
    SPIN(c->down, 10000);
    assert_int_equal(c->down, 1);
    double detect_ms = (c->t_down - t_crash) / 1e6;
    print_message("peer crash (%s) detected after %.0f ms (%s); bound %u ms\n", what, detect_ms,
                  errname(c->reason), test_cfg().dead_peer_ms);
    assert_true(c->reason == KZ_ECLOSED || c->reason == KZ_ETIMEOUT);
    assert_true(detect_ms <= test_cfg().dead_peer_ms * 2.0 + 500);
    free(c);

    /* restart the peer and reconnect */
    int64_t t_restart = kz_loop_now(G.loop);
    if (!strcmp(G.kind, "mem")) {
        kz_transport_cfg cfg = test_cfg();
        assert_int_equal(kz_transport_open(&peer, G.loop, &cfg, &srv_cbs, NULL), 0);
        assert_int_equal(kz_transport_listen(peer, url), 0);
    } else {
        pid = spawn_echo(url);
    }
    a = connect_retry(url, &c, 10000);
    assert_non_null(a);
    print_message("reconnected %.0f ms after the restart\n", (kz_loop_now(G.loop) - t_restart) / 1e6);
    assert_int_equal(kz_assoc_send(a, &m), 0);
    SPIN(c->msgs == 1, 3000);
    assert_int_equal(c->msgs, 1);
    finish(a, c);
    if (pid > 0) {
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
    }
    if (peer)
        kz_transport_close(peer);
}

int main(int argc, char **argv)
{
    G.kind = argc > 1 ? argv[1] : "mem";
    const char *n = getenv("KZ_NET_ASSOCS");
    G.n_assocs = n ? atoi(n) : 1000;
    if (!strcmp(G.kind, "sctp")) {
        int s = socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP);
        if (s < 0) {
            printf("SKIP: kernel SCTP unavailable here (socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP): "
                   "%s); run it in ../shared/lab/kernel-sctp\n", strerror(errno));
            return 77;
        }
        close(s);
    }
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_connect_accept),   cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_refused),          cmocka_unit_test(test_abort_seen_by_peer),
        cmocka_unit_test(test_slow_reader),      cmocka_unit_test(test_many),
        cmocka_unit_test(test_crash_reconnect),
    };
    return cmocka_run_group_tests_name(G.kind, tests, setup, teardown);
}
