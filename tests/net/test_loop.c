/*
 * test_loop.c -- the event loop's promises (kizuna/loop.h): timer order and repeat, stopping from
 * callbacks, deferred-call order, fd watchers, wake-ups from another thread, virtual time that
 * jumps, and a close that refuses while handles are active.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "kizuna/error.h"
#include "kizuna/loop.h"

typedef struct order {
    int seen[64];
    int n;
    int64_t at[64];
} order;

typedef struct tagged {
    kz_timer t;
    order *o;
    int tag;
} tagged;

static void record_cb(kz_timer *t, void *ud)
{
    tagged *x = ud;
    x->o->at[x->o->n] = kz_loop_now(t->loop);
    x->o->seen[x->o->n++] = x->tag;
}

static void test_timer_order(void **state)
{
    (void)state;
    kz_vclock vc;
    kz_vclock_init(&vc, 0, 0);
    kz_loop *l;
    assert_int_equal(kz_loop_open(&l, &vc.base), 0);
    order o = {0};
    tagged t[6];
    /* due: 30, 10, 10, 20, 10, 0  -> 5, 1, 2, 4, 3, 0 */
    int64_t due[6] = {30, 10, 10, 20, 10, 0};
    for (int i = 0; i < 6; i++) {
        t[i].o = &o;
        t[i].tag = i;
        kz_timer_init(l, &t[i].t);
        assert_int_equal(kz_timer_start(&t[i].t, due[i] * KZ_NS_PER_MS, 0, record_cb, &t[i]), 0);
    }
    assert_int_equal(kz_loop_run(l, KZ_RUN_DEFAULT), 0);
    int want[6] = {5, 1, 2, 4, 3, 0};
    assert_int_equal(o.n, 6);
    for (int i = 0; i < 6; i++)
        assert_int_equal(o.seen[i], want[i]);
    assert_int_equal(o.at[5], 30 * KZ_NS_PER_MS);   /* virtual time: exact */
    assert_int_equal(kz_loop_close(l), 0);
}

typedef struct rep {
    kz_timer t;
    int n;
    tagged *victim;
} rep;

static void rep_cb(kz_timer *t, void *ud)
{
    rep *r = ud;
    if (++r->n == 1 && r->victim)
        kz_timer_stop(&r->victim->t);   /* stop another timer from a callback */
    if (r->n == 5)
        kz_timer_stop(t);
}

static void test_timer_repeat_and_stop(void **state)
{
    (void)state;
    kz_vclock vc;
    kz_vclock_init(&vc, 0, 0);
    kz_loop *l;
    assert_int_equal(kz_loop_open(&l, &vc.base), 0);
    order o = {0};
    tagged victim = {.o = &o, .tag = 9};
    kz_timer_init(l, &victim.t);
    kz_timer_start(&victim.t, 15 * KZ_NS_PER_MS, 0, record_cb, &victim);
    rep r = {.victim = &victim};
    kz_timer_init(l, &r.t);
    kz_timer_start(&r.t, 10 * KZ_NS_PER_MS, 10 * KZ_NS_PER_MS, rep_cb, &r);
    kz_loop_run(l, KZ_RUN_DEFAULT);
    assert_int_equal(r.n, 5);
    assert_int_equal(o.n, 0);
    assert_int_equal(kz_loop_now(l), 50 * KZ_NS_PER_MS);
    assert_int_equal(kz_loop_close(l), 0);
}

/* Many timers with random due times come out sorted (heap property under churn). */
static void test_timer_heap_churn(void **state)
{
    (void)state;
    kz_vclock vc;
    kz_vclock_init(&vc, 0, 0);
    kz_loop *l;
    assert_int_equal(kz_loop_open(&l, &vc.base), 0);
    enum { N = 2000 };
    static tagged t[N];
    static order o;
    uint64_t x = 12345;
    for (int i = 0; i < N; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        t[i].o = &o;
        kz_timer_init(l, &t[i].t);
        kz_timer_start(&t[i].t, (int64_t)(x >> 40), 0, record_cb, &t[i]);
    }
    for (int i = 0; i < N; i += 3)
        kz_timer_stop(&t[i].t);
    int64_t last = -1;
    int fired = 0;
    while (kz_loop_run(l, KZ_RUN_ONCE)) {
        for (int i = 0; i < o.n; i++) {
            assert_true(o.at[i] >= last);
            last = o.at[i];
        }
        fired += o.n;
        o.n = 0;
    }
    fired += o.n;
    assert_int_equal(fired, N - (N + 2) / 3);
    assert_int_equal(kz_loop_close(l), 0);
}

typedef struct dctx {
    kz_loop *l;
    kz_defer d[3];
    int seen[8];
    int n;
    bool inside;
} dctx;

static void d_cb(kz_defer *d, void *ud)
{
    dctx *c = ud;
    int idx = (int)(d - c->d);
    assert_false(c->inside);
    c->seen[c->n++] = idx;
    if (idx == 0) {
        c->inside = true;
        kz_defer_post(c->l, &c->d[2], d_cb, c);   /* posted from a callback: runs later */
        c->inside = false;
    }
}

static void test_defer(void **state)
{
    (void)state;
    dctx c = {0};
    assert_int_equal(kz_loop_open(&c.l, NULL), 0);
    for (int i = 0; i < 3; i++)
        kz_defer_init(&c.d[i]);
    c.inside = true;
    kz_defer_post(c.l, &c.d[1], d_cb, &c);
    kz_defer_post(c.l, &c.d[0], d_cb, &c);
    kz_defer_post(c.l, &c.d[1], d_cb, &c);   /* already queued: no-op */
    c.inside = false;
    kz_loop_run(c.l, KZ_RUN_NOWAIT);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.seen[0], 1);
    assert_int_equal(c.seen[1], 0);
    kz_loop_run(c.l, KZ_RUN_NOWAIT);
    assert_int_equal(c.n, 3);
    assert_int_equal(c.seen[2], 2);
    kz_defer_post(c.l, &c.d[0], d_cb, &c);
    kz_defer_cancel(c.l, &c.d[0]);
    assert_int_equal(kz_loop_run(c.l, KZ_RUN_DEFAULT), 0);
    assert_int_equal(c.n, 3);
    assert_int_equal(kz_loop_close(c.l), 0);
}

typedef struct ioctx {
    kz_io io;
    int fd;
    char buf[16];
    size_t n;
} ioctx;

static void io_cb(kz_io *io, unsigned rev, void *ud)
{
    ioctx *c = ud;
    assert_true(rev & KZ_IO_READ);
    ssize_t r = read(c->fd, c->buf + c->n, sizeof c->buf - c->n);
    if (r > 0)
        c->n += (size_t)r;
    if (c->n >= 5)
        kz_io_stop(io);
}

static void test_io(void **state)
{
    (void)state;
    kz_loop *l;
    assert_int_equal(kz_loop_open(&l, NULL), 0);
    int p[2];
    assert_int_equal(pipe(p), 0);
    ioctx c = {.fd = p[0]};
    assert_int_equal(kz_io_start(l, &c.io, p[0], KZ_IO_READ, io_cb, &c), 0);
    assert_int_equal(write(p[1], "hello", 5), 5);
    assert_int_equal(kz_loop_run_until(l, kz_loop_now(l) + KZ_NS_PER_S), 0 == 1 ? 0 : KZ_ETIMEOUT);
    assert_int_equal(c.n, 5);
    assert_memory_equal(c.buf, "hello", 5);
    close(p[0]);
    close(p[1]);
    assert_int_equal(kz_loop_close(l), 0);
}

typedef struct actx {
    kz_async a;
    int calls;
    kz_loop *l;
} actx;

static void async_cb(kz_async *a, void *ud)
{
    actx *c = ud;
    (void)a;
    c->calls++;
    kz_loop_stop(c->l);
}

static void *poker(void *p)
{
    usleep(20000);
    for (int i = 0; i < 100; i++)
        kz_async_send(p);
    return NULL;
}

static void test_async(void **state)
{
    (void)state;
    actx c = {0};
    assert_int_equal(kz_loop_open(&c.l, NULL), 0);
    assert_int_equal(kz_async_init(c.l, &c.a, async_cb, &c), 0);
    pthread_t th;
    int64_t t0 = kz_loop_now(c.l);
    pthread_create(&th, NULL, poker, &c.a);
    assert_int_equal(kz_loop_run_until(c.l, t0 + 5 * KZ_NS_PER_S), 0);   /* stopped, not timed out */
    pthread_join(th, NULL);
    kz_loop_run(c.l, KZ_RUN_NOWAIT);
    assert_true(c.calls >= 1 && c.calls <= 2);   /* 100 sends coalesce */
    assert_int_equal(kz_loop_close(c.l), KZ_EAGAIN);   /* the async is still open */
    kz_async_close(&c.a);
    assert_int_equal(kz_loop_close(c.l), 0);
}

static void nop_cb(kz_timer *t, void *ud)
{
    (void)t;
    (*(int *)ud)++;
}

/* A virtual day with a timer every simulated second runs in well under a real second. */
static void test_virtual_day(void **state)
{
    (void)state;
    kz_vclock vc;
    kz_vclock_init(&vc, 0, INT64_C(1700000000) * KZ_NS_PER_S);
    kz_loop *l;
    assert_int_equal(kz_loop_open(&l, &vc.base), 0);
    assert_true(kz_loop_is_virtual(l));
    int n = 0;
    kz_timer t;
    kz_timer_init(l, &t);
    kz_timer_start(&t, KZ_NS_PER_S, KZ_NS_PER_S, nop_cb, &n);
    assert_int_equal(kz_loop_run_until(l, 86400 * KZ_NS_PER_S), KZ_ETIMEOUT);
    assert_int_equal(n, 86400);
    assert_int_equal(kz_loop_now(l), 86400 * KZ_NS_PER_S);
    assert_int_equal(kz_loop_epoch_ns(l), (INT64_C(1700000000) + 86400) * KZ_NS_PER_S);
    kz_timer_stop(&t);
    assert_int_equal(kz_loop_close(l), 0);
}

/* Wall clock: a 30 ms timer fires no earlier than 30 ms and not absurdly late. */
static void test_wall_timer(void **state)
{
    (void)state;
    kz_loop *l;
    assert_int_equal(kz_loop_open(&l, NULL), 0);
    order o = {0};
    tagged t = {.o = &o};
    kz_timer_init(l, &t.t);
    int64_t t0 = kz_loop_now(l);
    kz_timer_start(&t.t, 30 * KZ_NS_PER_MS, 0, record_cb, &t);
    kz_loop_run(l, KZ_RUN_DEFAULT);
    assert_int_equal(o.n, 1);
    assert_true(o.at[0] - t0 >= 30 * KZ_NS_PER_MS);
    assert_true(o.at[0] - t0 < 500 * KZ_NS_PER_MS);
    assert_int_equal(kz_loop_close(l), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timer_order),     cmocka_unit_test(test_timer_repeat_and_stop),
        cmocka_unit_test(test_timer_heap_churn), cmocka_unit_test(test_defer),
        cmocka_unit_test(test_io),              cmocka_unit_test(test_async),
        cmocka_unit_test(test_virtual_day),     cmocka_unit_test(test_wall_timer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
