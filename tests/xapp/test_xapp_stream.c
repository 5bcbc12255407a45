/*
 * tests/xapp/test_xapp_stream.c -- the SDK over the stream transports (unix://, tcp:// with a
 * token) against a RIC on a wall-clock loop: discovery, subscription, indications, a refused
 * token, and reconnect after the RIC's side drops the connection.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../ric/agent.h"
#include "kizuna/ric.h"
#include "kizuna/xapp.h"
#include "ric/ric_int.h"

typedef struct tx {
    kz_xapp *x;
    uint32_t node, sub;
    int ups, active, inds;
} tx;

static void on_conn(kz_xapp *x, bool up, void *ud) { (void)x; if (up) ((tx *)ud)->ups++; }
static void on_node(kz_xapp *x, const kz_xapp_node *n, bool up, void *ud)
{
    (void)x;
    if (up)
        ((tx *)ud)->node = n->id;
}
static void on_state(kz_xapp *x, const kz_xapp_sub_event *ev, void *ud)
{
    (void)x;
    if (ev->state == KZ_XAPP_SUB_ACTIVE)
        ((tx *)ud)->active++;
}
static void on_ind(kz_xapp *x, const kz_xapp_indication *ind, void *ud)
{
    (void)x;
    (void)ind;
    ((tx *)ud)->inds++;
}

static void spin(kz_loop *loop, int ms)
{
    kz_loop_run_until(loop, kz_loop_now(loop) + ms * KZ_NS_PER_MS);
}

static void run_bus(const char *url, const char *token, const char *xtoken, bool expect_ok)
{
    kz_loop *loop;
    assert_int_equal(kz_loop_open(&loop, NULL), 0);
    FILE *devnull = fopen("/dev/null", "w");
    kz_ric_cfg cfg;
    kz_ric_cfg_default(&cfg);
    const char *e2[] = {"mem://e2"}, *bus[] = {url};
    cfg.e2_listen = e2;
    cfg.n_e2_listen = 1;
    cfg.bus_listen = bus;
    cfg.n_bus_listen = 1;
    cfg.bus_token = token;
    cfg.log = devnull;
    kz_ric *ric;
    assert_int_equal(kz_ric_open(&ric, loop, &cfg), 0);
    agent ag;
    agent_open(&ag, loop, "mem://e2", 0xe00);
    tx t = {0};
    kz_xapp_cfg xc;
    kz_xapp_cfg_default(&xc);
    xc.url = url;
    xc.token = xtoken;
    xc.reconnect_min_ms = 20;
    kz_xapp_cbs cbs = {.on_connection = on_conn, .on_node = on_node};
    assert_int_equal(kz_xapp_open(&t.x, loop, &xc, &cbs, &t), 0);
    spin(loop, 200);
    if (!expect_ok) {
        assert_int_equal(t.ups, 0);
        assert_false(kz_xapp_connected(t.x));
    } else {
        assert_int_equal(t.ups, 1);
        assert_true(t.node != 0);
        static const uint8_t trig[] = {1};
        kz_xapp_action act = {.id = 1};
        kz_xapp_sub_req req = {.node = t.node, .ran_function = 2, .trigger = trig,
                               .trigger_len = 1, .actions = &act, .n_actions = 1};
        kz_xapp_sub_cbs scb = {.on_state = on_state, .on_indication = on_ind};
        assert_int_equal(kz_xapp_subscribe(t.x, &req, &scb, &t, &t.sub), 0);
        spin(loop, 100);
        assert_int_equal(t.active, 1);
        static uint8_t big[5000];
        for (int i = 0; i < 500; i++) {   /* in bursts the agent's own queue takes */
            agent_indicate(&ag, NULL, -1, big, 10, big, sizeof big, i);
            if (i % 50 == 49)
                spin(loop, 20);
        }
        spin(loop, 300);
        kz_ric_stats st;
        kz_ric_stats_get(ric, &st);
        assert_int_equal(st.indications_rx, 500);
        assert_int_equal(st.indications_dropped, 0);
        assert_int_equal(t.inds, 500);
        /* the RIC drops the connection: the SDK reconnects and resumes */
        kz_assoc_abort(ric->xconns->as);
        spin(loop, 300);
        assert_int_equal(t.ups, 2);
        assert_int_equal(t.active, 2);
        agent_indicate(&ag, NULL, -1, big, 10, big, 10, 1);
        spin(loop, 100);
        assert_int_equal(t.inds, 501);
        assert_int_equal(ag.sub_req, 1);
    }
    kz_xapp_close(t.x);
    agent_close(&ag);
    kz_ric_close(ric);
    assert_int_equal(kz_loop_close(loop), 0);
    fclose(devnull);
}

static void test_unix(void **s)
{
    (void)s;
    char url[128];
    snprintf(url, sizeof url, "unix:///tmp/kz-test-xapp-%d.sock", (int)getpid());
    run_bus(url, NULL, NULL, true);
    assert_int_not_equal(access(url + 7, F_OK), 0);   /* the socket file is removed */
}

static void test_unix_abstract(void **s)
{
    (void)s;
    char url[128];
    snprintf(url, sizeof url, "unix://@kz-test-xapp-%d", (int)getpid());
    run_bus(url, NULL, NULL, true);
}

static void test_tcp_token(void **s)
{
    (void)s;
    char url[128];
    snprintf(url, sizeof url, "tcp://127.0.0.1:%d", 30000 + (int)(getpid() % 20000));
    run_bus(url, "sesame", "sesame", true);
    run_bus(url, "sesame", "wrong", false);
}

static bool x_ready(tx *t) { return t->node && t->active; }

static void subscribe(tx *t)
{
    static const uint8_t trig[] = {1};
    static kz_xapp_action act = {.id = 1};
    kz_xapp_sub_req req = {.node = t->node, .ran_function = 2, .trigger = trig, .trigger_len = 1,
                           .actions = &act, .n_actions = 1};
    kz_xapp_sub_cbs scb = {.on_state = on_state, .on_indication = on_ind};
    assert_int_equal(kz_xapp_subscribe(t->x, &req, &scb, t, &t->sub), 0);
}

/* A stalled xApp over unix:// holds at most about xapp_queue_bytes of indications in the RIC
 * (plus what the kernel's socket buffers take); the rest are dropped for it alone and counted,
 * and a fast xApp on the same merged subscription gets every one.  The stalled xApp is the real
 * SDK on a loop of its own that stops being run. */
static void test_unix_slow_xapp_bounded(void **s)
{
    (void)s;
    char url[128];
    snprintf(url, sizeof url, "unix://@kz-test-slow-%d", (int)getpid());
    kz_loop *loop, *sloop;
    assert_int_equal(kz_loop_open(&loop, NULL), 0);
    assert_int_equal(kz_loop_open(&sloop, NULL), 0);
    FILE *devnull = fopen("/dev/null", "w");
    kz_ric_cfg cfg;
    kz_ric_cfg_default(&cfg);
    const char *e2[] = {"mem://e2s"}, *bus[] = {url};
    cfg.e2_listen = e2;
    cfg.n_e2_listen = 1;
    cfg.bus_listen = bus;
    cfg.n_bus_listen = 1;
    cfg.log = devnull;
    cfg.xapp_queue_bytes = 256 * 1024;
    kz_ric *ric;
    assert_int_equal(kz_ric_open(&ric, loop, &cfg), 0);
    agent ag;
    agent_open(&ag, loop, "mem://e2s", 0xe00);
    tx fast = {0}, slow = {0};
    kz_xapp_cfg xc;
    kz_xapp_cfg_default(&xc);
    xc.url = url;
    kz_xapp_cbs cbs = {.on_connection = on_conn, .on_node = on_node};
    assert_int_equal(kz_xapp_open(&fast.x, loop, &xc, &cbs, &fast), 0);
    assert_int_equal(kz_xapp_open(&slow.x, sloop, &xc, &cbs, &slow), 0);
    for (int i = 0; i < 400 && !(fast.node && slow.node); i++) {
        kz_loop_run(loop, KZ_RUN_NOWAIT);
        kz_loop_run(sloop, KZ_RUN_NOWAIT);
        usleep(1000);
    }
    subscribe(&fast);
    subscribe(&slow);
    for (int i = 0; i < 400 && !(x_ready(&fast) && x_ready(&slow)); i++) {
        kz_loop_run(loop, KZ_RUN_NOWAIT);
        kz_loop_run(sloop, KZ_RUN_NOWAIT);
        usleep(1000);
    }
    assert_true(x_ready(&fast) && x_ready(&slow));
    /* the slow xApp's loop is not run from here on */
    static uint8_t big[1000];
    enum { N = 4000 };
    for (int i = 0; i < N; i++) {
        agent_indicate(&ag, NULL, -1, big, 10, big, sizeof big, i);
        if (i % 50 == 49)
            spin(loop, 2);
    }
    spin(loop, 300);
    kz_ric_stats st;
    kz_ric_stats_get(ric, &st);
    assert_int_equal(fast.inds, N);
    assert_int_equal(st.indications_rx, N);
    assert_int_equal(st.indications_routed + st.indications_dropped, 2 * N);
    /* ~1.05 kB per indication on the bus: the RIC keeps <= 256 KiB (~250) for the slow one, the
     * kernel's unix socket buffers hold some more; the rest (thousands) are dropped */
    printf("slow xApp over unix://: %llu of %d dropped for it, the fast one got all %d\n",
           (unsigned long long)st.indications_dropped, N, N);
    assert_true(st.indications_dropped > N / 2);
    kz_xapp_close(slow.x);
    kz_xapp_close(fast.x);
    agent_close(&ag);
    kz_ric_close(ric);
    assert_int_equal(kz_loop_close(sloop), 0);
    assert_int_equal(kz_loop_close(loop), 0);
    fclose(devnull);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unix),
        cmocka_unit_test(test_unix_abstract),
        cmocka_unit_test(test_tcp_token),
        cmocka_unit_test(test_unix_slow_xapp_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
