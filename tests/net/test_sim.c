/*
 * test_sim.c -- the deterministic simulator (kizuna/sim.h).
 *
 * A small "network": one echo server at mem://ric and 20 clients that send random messages at
 * random virtual times, lose their associations at random and reconnect after a random backoff.
 * Shows: same seed -> identical trace hash and counters (bit for bit), a different seed -> a
 * different trace; a forced drop mid-exchange is observed by both ends at the same virtual time
 * with the in-flight messages counted as lost; jitter reorders messages across associations but
 * never within one; a virtual minute costs milliseconds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kizuna/error.h"
#include "kizuna/sim.h"

#define NCLI 20

typedef struct world world;

typedef struct cli {
    world *w;
    int idx;
    kz_assoc *a;
    kz_timer send_t, retry_t;
    uint32_t seq;
    uint32_t last_seen_seq;   /* FIFO check on echoes */
    int ups, downs;
} cli;

struct world {
    kz_sim *sim;
    kz_transport *srv, *cli_t;
    cli c[NCLI];
    int srv_ups, srv_downs, cli_msgs;
    int fifo_violations, cross_reorders;
    uint64_t last_global_sent;   /* send stamp of the last echo seen, for cross-assoc order */
    int64_t srv_down_at, cli_down_at;
    int srv_down_reason, cli_down_reason;
};

static void srv_up(kz_assoc *a, void *ud)
{
    (void)a;
    ((world *)ud)->srv_ups++;
}

static void srv_msg(kz_assoc *a, const kz_msg *m, void *ud)
{
    (void)ud;
    kz_assoc_send(a, m);   /* may be refused when full: the trace shows it either way */
}

static void srv_down(kz_assoc *a, int reason, void *ud)
{
    world *w = ud;
    (void)a;
    w->srv_downs++;
    w->srv_down_at = kz_loop_now(kz_sim_loop(w->sim));
    w->srv_down_reason = reason;
}

static void send_cb(kz_timer *t, void *ud);

static void schedule_send(cli *c)
{
    kz_timer_start(&c->send_t, (int64_t)kz_sim_below(c->w->sim, 100) * KZ_NS_PER_MS, 0, send_cb, c);
}

static void send_cb(kz_timer *t, void *ud)
{
    cli *c = ud;
    (void)t;
    if (!c->a || !kz_assoc_is_up(c->a))
        return;
    kz_sim *s = c->w->sim;
    uint8_t buf[1024];
    size_t len = 16 + (size_t)kz_sim_below(s, sizeof buf - 16);
    uint64_t stamp = (uint64_t)kz_loop_now(kz_sim_loop(s));
    c->seq++;
    memcpy(buf, &c->seq, 4);
    memcpy(buf + 4, &stamp, 8);
    for (size_t i = 12; i < len; i++)
        buf[i] = (uint8_t)kz_sim_rand(s);
    kz_msg m = {.data = buf, .len = len, .ppid = KZ_E2AP_PPID,
                .stream = (uint16_t)kz_sim_below(s, kz_assoc_streams(c->a))};
    kz_assoc_send(c->a, &m);
    schedule_send(c);
}

static void retry_cb(kz_timer *t, void *ud);

static void connect_cli(cli *c)
{
    if (kz_transport_connect(c->w->cli_t, "mem://ric", &c->a) == 0)
        kz_assoc_set_ud(c->a, c);
}

static void retry_cb(kz_timer *t, void *ud)
{
    (void)t;
    connect_cli(ud);
}

static void cli_up(kz_assoc *a, void *ud)
{
    (void)ud;
    cli *c = kz_assoc_ud(a);
    c->ups++;
    c->last_seen_seq = c->seq;
    schedule_send(c);
}

static void cli_msg(kz_assoc *a, const kz_msg *m, void *ud)
{
    world *w = ud;
    cli *c = kz_assoc_ud(a);
    uint32_t seq;
    uint64_t stamp;
    memcpy(&seq, m->data, 4);
    memcpy(&stamp, m->data + 4, 8);
    if (seq <= c->last_seen_seq)
        w->fifo_violations++;
    c->last_seen_seq = seq;
    if (stamp < w->last_global_sent)
        w->cross_reorders++;   /* an older message of another association overtook */
    w->last_global_sent = stamp;
    w->cli_msgs++;
}

static void cli_down(kz_assoc *a, int reason, void *ud)
{
    world *w = ud;
    cli *c = kz_assoc_ud(a);
    c->downs++;
    c->a = NULL;
    kz_timer_stop(&c->send_t);
    w->cli_down_at = kz_loop_now(kz_sim_loop(w->sim));
    w->cli_down_reason = reason;
    kz_timer_start(&c->retry_t, (int64_t)(50 + kz_sim_below(w->sim, 500)) * KZ_NS_PER_MS, 0,
                   retry_cb, c);
}

static void world_open(world *w, const kz_sim_cfg *cfg)
{
    memset(w, 0, sizeof *w);
    assert_int_equal(kz_sim_open(&w->sim, cfg), 0);
    kz_loop *l = kz_sim_loop(w->sim);
    kz_transport_cbs scb = {srv_up, srv_msg, srv_down, NULL};
    kz_transport_cbs ccb = {cli_up, cli_msg, cli_down, NULL};
    assert_int_equal(kz_transport_open(&w->srv, l, NULL, &scb, w), 0);
    assert_int_equal(kz_transport_listen(w->srv, "mem://ric"), 0);
    assert_int_equal(kz_transport_open(&w->cli_t, l, NULL, &ccb, w), 0);
    for (int i = 0; i < NCLI; i++) {
        cli *c = &w->c[i];
        c->w = w;
        c->idx = i;
        kz_timer_init(l, &c->send_t);
        kz_timer_init(l, &c->retry_t);
    }
}

static void world_close(world *w)
{
    for (int i = 0; i < NCLI; i++) {
        kz_timer_stop(&w->c[i].send_t);
        kz_timer_stop(&w->c[i].retry_t);
    }
    kz_transport_close(w->cli_t);
    kz_transport_close(w->srv);
    assert_int_equal(kz_sim_close(w->sim), 0);
}

typedef struct outcome {
    kz_sim_stats st;
    int srv_ups, srv_downs, cli_msgs, fifo_violations, cross_reorders;
} outcome;

static outcome run_world(uint64_t seed, double loss, FILE *trace)
{
    world *w = calloc(1, sizeof *w);
    kz_sim_cfg cfg = {.seed = seed, .latency_ns = 2 * KZ_NS_PER_MS, .jitter_ns = 3 * KZ_NS_PER_MS,
                      .assoc_loss = loss, .trace = trace};
    world_open(w, &cfg);
    for (int i = 0; i < NCLI; i++)
        connect_cli(&w->c[i]);
    assert_int_equal(kz_sim_run_until(w->sim, 60 * KZ_NS_PER_S), KZ_ETIMEOUT);
    outcome o;
    kz_sim_stats_get(w->sim, &o.st);
    o.srv_ups = w->srv_ups;
    o.srv_downs = w->srv_downs;
    o.cli_msgs = w->cli_msgs;
    o.fifo_violations = w->fifo_violations;
    o.cross_reorders = w->cross_reorders;
    world_close(w);
    free(w);
    return o;
}

static void test_determinism(void **state)
{
    (void)state;
    FILE *t1 = tmpfile(), *t2 = tmpfile();
    clock_t c0 = clock();
    outcome a = run_world(42, 0.0005, t1);
    double cpu_ms = (double)(clock() - c0) * 1000.0 / CLOCKS_PER_SEC;
    outcome b = run_world(42, 0.0005, t2);
    outcome c = run_world(43, 0.0005, NULL);
    print_message("seed 42: %llu messages delivered in 60 virtual s (%.0f ms CPU), %d assoc "
                  "drops, %llu lost, trace hash %016llx\n",
                  (unsigned long long)a.st.delivered, cpu_ms, a.srv_downs,
                  (unsigned long long)a.st.lost, (unsigned long long)a.st.trace_hash);
    print_message("seed 43: trace hash %016llx\n", (unsigned long long)c.st.trace_hash);
    assert_true(a.st.delivered > 10000);
    assert_true(a.st.assoc_drops > 0);   /* the run includes losses and reconnects */
    assert_true(a.srv_ups > NCLI);
    assert_int_equal(a.st.trace_hash, b.st.trace_hash);
    assert_int_equal(a.st.delivered, b.st.delivered);
    assert_int_equal(a.st.lost, b.st.lost);
    assert_int_equal(a.srv_ups, b.srv_ups);
    assert_int_equal(a.cli_msgs, b.cli_msgs);
    assert_true(a.st.trace_hash != c.st.trace_hash);
    /* the printed traces are identical byte for byte too */
    fflush(t1);
    fflush(t2);
    long n1 = ftell(t1), n2 = ftell(t2);
    assert_int_equal(n1, n2);
    rewind(t1);
    rewind(t2);
    char *b1 = malloc((size_t)n1), *b2 = malloc((size_t)n2);
    assert_int_equal(fread(b1, 1, (size_t)n1, t1), (size_t)n1);
    assert_int_equal(fread(b2, 1, (size_t)n2, t2), (size_t)n2);
    assert_memory_equal(b1, b2, (size_t)n1);
    free(b1);
    free(b2);
    fclose(t1);
    fclose(t2);
}

static void test_reorder_across_not_within(void **state)
{
    (void)state;
    outcome a = run_world(7, 0, NULL);
    print_message("%d echoes, %d overtakes across associations, %d FIFO violations\n", a.cli_msgs,
                  a.cross_reorders, a.fifo_violations);
    assert_true(a.cross_reorders > 0);
    assert_int_equal(a.fifo_violations, 0);
}

static void test_drop_mid_exchange(void **state)
{
    (void)state;
    world *w = calloc(1, sizeof *w);
    kz_sim_cfg cfg = {.seed = 1, .latency_ns = 5 * KZ_NS_PER_MS};
    world_open(w, &cfg);
    cli *c = &w->c[0];
    connect_cli(c);
    assert_int_equal(kz_sim_run_until(w->sim, 1 * KZ_NS_PER_S), KZ_ETIMEOUT);
    assert_int_equal(c->ups, 1);
    assert_true(w->cli_msgs > 5);   /* the exchange is under way */
    kz_assoc *victim = c->a;
    /* make sure messages are in flight both ways at the moment of the drop */
    uint8_t buf[64] = {0};
    c->seq++;
    memcpy(buf, &c->seq, 4);
    kz_msg m = {.data = buf, .len = sizeof buf, .ppid = KZ_E2AP_PPID};
    assert_int_equal(kz_assoc_send(victim, &m), 0);
    int64_t t_drop = kz_loop_now(kz_sim_loop(w->sim));
    assert_int_equal(kz_sim_drop(w->sim, victim), 0);
    assert_int_equal(kz_sim_drop(w->sim, victim), KZ_ECLOSED);
    assert_int_equal(kz_assoc_send(victim, &m), KZ_ECLOSED);
    assert_int_equal(kz_sim_run_until(w->sim, t_drop + 10 * KZ_NS_PER_MS), KZ_ETIMEOUT);
    assert_int_equal(c->downs, 1);
    assert_int_equal(w->srv_downs, 1);
    assert_int_equal(w->cli_down_reason, KZ_ECLOSED);
    assert_int_equal(w->srv_down_reason, KZ_ECLOSED);
    assert_int_equal(w->cli_down_at, t_drop);
    assert_int_equal(w->srv_down_at, t_drop);
    kz_sim_stats st;
    kz_sim_stats_get(w->sim, &st);
    assert_true(st.lost >= 1);
    /* the client's retry logic reconnects */
    assert_int_equal(kz_sim_run_until(w->sim, t_drop + 2 * KZ_NS_PER_S), KZ_ETIMEOUT);
    assert_int_equal(c->ups, 2);
    print_message("drop at %.3f s seen by both ends at once, %llu message(s) lost in flight, "
                  "reconnected\n", t_drop / 1e9, (unsigned long long)st.lost);
    world_close(w);
    free(w);
}

static void test_rng(void **state)
{
    (void)state;
    kz_sim *a, *b;
    kz_sim_cfg cfg = {.seed = 99};
    assert_int_equal(kz_sim_open(&a, &cfg), 0);
    assert_int_equal(kz_sim_open(&b, &cfg), 0);
    int hist[10] = {0};
    for (int i = 0; i < 100000; i++) {
        uint64_t x = kz_sim_rand(a);
        assert_int_equal(x, kz_sim_rand(b));
        double u = kz_sim_uniform(a);
        kz_sim_uniform(b);
        assert_true(u >= 0 && u < 1);
        hist[kz_sim_below(a, 10)]++;
        kz_sim_below(b, 10);
    }
    for (int i = 0; i < 10; i++)
        assert_true(hist[i] > 9000 && hist[i] < 11000);
    assert_int_equal(kz_sim_below(a, 0), 0);
    assert_int_equal(kz_sim_close(a), 0);
    assert_int_equal(kz_sim_close(b), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rng),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_reorder_across_not_within),
        cmocka_unit_test(test_drop_mid_exchange),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
